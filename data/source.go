package data

import (
	"bytes"
	"errors"
	"fmt"
)

// ParseSource parses a plan as an admin supplies it: the text copied from
// the city's page or a printed edition, or the page itself (HTML), in any
// of the charsets Japanese sites use. contentType is the HTTP Content-Type
// or "" when unknown (a file); the content decides when it says nothing.
//
// The charset comes from a byte-order mark, else from the bytes with the
// Content-Type's charset or the page's <meta> breaking ties (UTF-8,
// Shift_JIS, EUC-JP, ISO-2022-JP; see decodeSource). A page is told from a
// text by a Content-Type of text/html or by markup at its start
// (<!DOCTYPE html, <html, <head, <body); it is read by parseHTML, a text
// by parseText.
//
// Unlike Parse, ParseSource refuses a plan that is not complete: it must
// end with the contact box (この記事に関するお問い合わせ先 with the desk and a 〒
// or 電話番号) and 更新日, and a page must end with </html>, so a
// text or a page cut off anywhere, even between two rows, is refused with
// a *ParseError naming the line where it ends. An empty source, or a
// complete text with no actions, is a *ParseError wrapping ErrEmpty; a
// text cut off before its first action, or a page without a plan table,
// is not empty but broken.
func ParseSource(b []byte, contentType string) (*Plan, error) {
	if len(bytes.TrimSpace(bytes.TrimPrefix(b, []byte("\uFEFF")))) == 0 {
		return nil, errEmpty()
	}
	src, err := decodeSource(b, contentType)
	if err != nil {
		return nil, err
	}
	var r *parsed
	if src.html {
		r, err = parseHTML(src.text)
	} else {
		r, err = parseText(src.text)
		if r != nil {
			r.closed = true
		}
	}
	if errors.Is(err, ErrEmpty) && r != nil && r.end > 0 {
		// A text with no actions is an empty plan only when it is
		// complete; cut off before its first row it is a broken one.
		if cerr := complete(r, src.html); cerr != nil {
			return nil, cerr
		}
	}
	if err != nil {
		return nil, err
	}
	if err := complete(r, src.html); err != nil {
		return nil, err
	}
	return r.plan, nil
}

// complete refuses a plan whose end is missing.
func complete(r *parsed, page bool) error {
	what := "text"
	if page {
		what = "page"
	}
	c := r.plan.Contact
	switch {
	case r.footer == 0:
		return &ParseError{Line: r.end, Msg: fmt.Sprintf("the %s ends here without the contact box (%s) and 更新日 that end the plan: is it cut off?", what, footerMarker)}
	case c.Desk == "":
		return &ParseError{Line: r.footer, Msg: "the contact box has no desk (the line after " + footerMarker + ")"}
	case c.Postal == "" && c.Phone == "":
		return &ParseError{Line: r.footer, Msg: "the contact box has neither 〒 nor 電話番号: is it cut off?"}
	case r.plan.Updated == "":
		return &ParseError{Line: r.end, Msg: fmt.Sprintf("the %s ends here without 更新日: is it cut off?", what)}
	case !r.closed:
		return &ParseError{Line: r.end, Msg: "the page ends here without </html>: is it cut off?"}
	}
	return nil
}
