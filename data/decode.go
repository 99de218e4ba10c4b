package data

import (
	"bytes"
	"fmt"
	"mime"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"
	xunicode "golang.org/x/text/encoding/unicode"
)

// A charset the plan may be published in. Only charsets that can hold
// Japanese are honoured when a page or a server declares them; any other
// declaration (ISO-8859-1 from a server default, say) is ignored and the
// bytes decide.
type charset struct {
	name string
	enc  encoding.Encoding // nil: UTF-8
}

var (
	csUTF8     = charset{name: "UTF-8"}
	csShiftJIS = charset{"Shift_JIS", japanese.ShiftJIS}
	csEUCJP    = charset{"EUC-JP", japanese.EUCJP}
	csISO2022  = charset{"ISO-2022-JP", japanese.ISO2022JP}
	csUTF16LE  = charset{"UTF-16LE", xunicode.UTF16(xunicode.LittleEndian, xunicode.IgnoreBOM)}
	csUTF16BE  = charset{"UTF-16BE", xunicode.UTF16(xunicode.BigEndian, xunicode.IgnoreBOM)}
)

// charsetNames maps the labels of the WHATWG Encoding standard and the
// usual aliases to the charsets above.
var charsetNames = map[string]charset{
	"utf-8": csUTF8, "utf8": csUTF8, "unicode-1-1-utf-8": csUTF8, "x-unicode20utf8": csUTF8,
	"shift_jis": csShiftJIS, "shift-jis": csShiftJIS, "sjis": csShiftJIS, "x-sjis": csShiftJIS,
	"ms_kanji": csShiftJIS, "ms932": csShiftJIS, "cp932": csShiftJIS, "windows-31j": csShiftJIS,
	"csshiftjis": csShiftJIS, "csWindows31J": csShiftJIS, "sjis-win": csShiftJIS, "sjis-open": csShiftJIS,
	"euc-jp": csEUCJP, "x-euc-jp": csEUCJP, "eucjp": csEUCJP, "eucjp-win": csEUCJP, "ujis": csEUCJP,
	"cseucpkdfmtjapanese": csEUCJP,
	"iso-2022-jp":         csISO2022, "csiso2022jp": csISO2022,
	"utf-16le": csUTF16LE, "utf-16": csUTF16LE, "utf-16be": csUTF16BE,
}

func lookupCharset(label string) (charset, bool) {
	label = strings.ToLower(strings.Trim(strings.TrimSpace(label), `"'`))
	for k, v := range charsetNames {
		if strings.ToLower(k) == label {
			return v, true
		}
	}
	return charset{}, false
}

// decoded is a source turned into UTF-8 text.
type decoded struct {
	text    string
	charset string // what it was read as, for messages
	html    bool
}

// decodeSource turns the bytes an admin supplied into UTF-8 text and tells
// a page from a text. A byte-order mark (UTF-8, UTF-16) decides the
// charset. Otherwise the bytes do, with the declared charset (the
// Content-Type's charset parameter, else a page's <meta charset> or <meta
// http-equiv="Content-Type">) breaking ties: valid UTF-8 is UTF-8 (a page
// re-saved by an editor keeps its old Shift_JIS <meta>; Shift_JIS or
// EUC-JP text of any length is never valid UTF-8), ASCII with ISO-2022-JP
// escapes is ISO-2022-JP, and other bytes are Shift_JIS or EUC-JP,
// whichever decodes without error (both: the one with more kana, then the
// declared one). Anything else, binary files and text with control
// characters are refused with a *ParseError naming the line.
func decodeSource(b []byte, contentType string) (decoded, error) {
	mediaType, ctCharset := parseContentType(contentType)
	if err := refuseBinary(b); err != nil {
		return decoded{}, err
	}
	var (
		text string
		cs   string
	)
	switch {
	case bytes.HasPrefix(b, []byte("\xef\xbb\xbf")):
		if !utf8.Valid(b[3:]) {
			return decoded{}, &ParseError{Line: firstInvalidLine(b), Msg: "the file starts with a UTF-8 byte-order mark but is not valid UTF-8"}
		}
		text, cs = string(b[3:]), csUTF8.name
	case bytes.HasPrefix(b, []byte("\xff\xfe")), bytes.HasPrefix(b, []byte("\xfe\xff")):
		c := csUTF16LE
		if b[0] == 0xfe {
			c = csUTF16BE
		}
		s, ok := decodeWith(c, b[2:])
		if !ok {
			return decoded{}, &ParseError{Msg: "the file starts with a UTF-16 byte-order mark but is not valid " + c.name}
		}
		text, cs = s, c.name
	default:
		declared, hasDecl := charset{}, false
		if ctCharset != "" {
			declared, hasDecl = lookupCharset(ctCharset)
		}
		if !hasDecl && looksLikeHTML(mediaType, b) {
			if label := metaCharset(b); label != "" {
				declared, hasDecl = lookupCharset(label)
				if hasDecl && (declared == csUTF16LE || declared == csUTF16BE) {
					declared = csUTF8 // a <meta> cannot declare UTF-16 (WHATWG)
				}
			}
		}
		var ok bool
		text, cs, ok = sniff(b, declared, hasDecl)
		if !ok {
			return decoded{}, &ParseError{Line: firstInvalidLine(b), Msg: "the file is not text in UTF-8, Shift_JIS or EUC-JP (this line has the first byte that is not UTF-8); save it as UTF-8 text or as the page's HTML"}
		}
	}
	if i := strings.IndexFunc(text, badControl); i >= 0 {
		return decoded{}, &ParseError{Line: 1 + strings.Count(text[:i], "\n"), Msg: fmt.Sprintf("control character %U in the text: a binary file, or a charset that is not UTF-8, Shift_JIS or EUC-JP", []rune(text[i:])[0])}
	}
	return decoded{text: text, charset: cs, html: isHTML(mediaType, text)}, nil
}

// sniff decodes b by what the bytes are, with the declared charset as
// the tie-breaker.
func sniff(b []byte, declared charset, hasDecl bool) (string, string, bool) {
	if utf8.Valid(b) {
		if isASCII(b) && bytes.Contains(b, []byte("\x1b$")) {
			if s, ok := decodeWith(csISO2022, b); ok {
				return s, csISO2022.name, true
			}
		}
		if hasDecl && (declared == csUTF16LE || declared == csUTF16BE) {
			if s, ok := decodeWith(declared, b); ok {
				return s, declared.name, true
			}
		}
		// Valid UTF-8 with Japanese in it is UTF-8 whatever is declared:
		// Shift_JIS or EUC-JP text is practically never valid UTF-8.
		return string(b), csUTF8.name, true
	}
	if hasDecl && (declared == csUTF16LE || declared == csUTF16BE) {
		if s, ok := decodeWith(declared, b); ok {
			return s, declared.name, true
		}
	}
	// Shift_JIS text practically never decodes as EUC-JP (its kana lead
	// bytes 0x82, 0x83 are invalid there); EUC-JP often decodes as
	// Shift_JIS, as half-width katakana. Try both and keep the reading
	// with more kana and less half-width katakana when both succeed; the
	// declaration breaks a tie.
	sj, sjOK := decodeWith(csShiftJIS, b)
	eu, euOK := decodeWith(csEUCJP, b)
	switch {
	case sjOK && euOK:
		hs, he := kanaScore(sj), kanaScore(eu)
		if he > hs || he == hs && hasDecl && declared == csEUCJP {
			return eu, csEUCJP.name, true
		}
		return sj, csShiftJIS.name, true
	case euOK:
		return eu, csEUCJP.name, true
	case sjOK:
		return sj, csShiftJIS.name, true
	}
	return "", "", false
}

// decodeWith decodes b; ok is false when a byte sequence is invalid in c.
func decodeWith(c charset, b []byte) (string, bool) {
	if c.enc == nil {
		return string(b), utf8.Valid(b)
	}
	out, err := c.enc.NewDecoder().Bytes(b)
	if err != nil || !utf8.Valid(out) {
		return "", false
	}
	// The decoders write U+FFFD for an invalid sequence; none of the
	// Japanese charsets can encode U+FFFD itself.
	if c != csUTF16LE && c != csUTF16BE && bytes.Contains(out, []byte("\ufffd")) {
		return "", false
	}
	return string(out), true
}

func parseContentType(ct string) (mediaType, charset string) {
	if strings.TrimSpace(ct) == "" {
		return "", ""
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		// Be as lenient as browsers with a malformed header.
		mt = strings.ToLower(strings.TrimSpace(strings.SplitN(ct, ";", 2)[0]))
		if m := ctCharsetRe.FindStringSubmatch(ct); m != nil {
			return mt, m[1]
		}
		return mt, ""
	}
	return mt, params["charset"]
}

var ctCharsetRe = regexp.MustCompile(`(?i)charset\s*=\s*["']?([\w.:-]+)`)

// metaCharset returns the charset a page declares in its first 4 KB, as
// the HTML prescan finds it: <meta charset> or <meta http-equiv
// content="…; charset=…">. The tags are ASCII in every charset a
// Japanese page uses, so the raw bytes can be scanned.
func metaCharset(b []byte) string {
	if len(b) > 4096 {
		b = b[:4096]
	}
	z := html.NewTokenizer(bytes.NewReader(b))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			name, more := z.TagName()
			if string(name) != "meta" {
				if string(name) == "body" {
					return ""
				}
				continue
			}
			var httpEquiv bool
			var content, cs string
			for more {
				var k, v []byte
				k, v, more = z.TagAttr()
				switch string(k) {
				case "charset":
					cs = string(v)
				case "http-equiv":
					httpEquiv = strings.EqualFold(strings.TrimSpace(string(v)), "content-type")
				case "content":
					content = string(v)
				}
			}
			if cs != "" {
				return cs
			}
			if httpEquiv {
				if m := ctCharsetRe.FindStringSubmatch(content); m != nil {
					return m[1]
				}
			}
		}
	}
}

// refuseBinary names the kinds of file an admin may pick by mistake.
func refuseBinary(b []byte) error {
	for _, k := range []struct{ magic, what string }{
		{"%PDF-", "a PDF file: copy its text into a text file, or load the city's page (HTML) instead"},
		{"PK\x03\x04", "a ZIP archive or an Office document (docx, xlsx): save it as text, or load the city's page (HTML) instead"},
		{"\x1f\x8b", "a gzip-compressed file: decompress it first"},
		{"\xd0\xcf\x11\xe0", "an old Office document (doc, xls): save it as text first"},
	} {
		if bytes.HasPrefix(b, []byte(k.magic)) {
			return &ParseError{Line: 1, Msg: "the file is " + k.what}
		}
	}
	return nil
}

// badControl reports control characters no plan text holds; they mark a
// binary file or bytes decoded with the wrong charset (UTF-16 without a
// byte-order mark, say).
func badControl(r rune) bool {
	switch r {
	case '\t', '\n', '\r', '\f', '\v':
		return false
	}
	return r < 0x20 || r == 0x7f
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// kanaScore rates a decoding: Japanese text has hiragana and full-width
// katakana; the wrong one of Shift_JIS and EUC-JP gives half-width
// katakana instead.
func kanaScore(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case r >= 0xff61 && r <= 0xff9f:
			n -= 2
		case unicode.In(r, unicode.Hiragana, unicode.Katakana):
			n++
		}
	}
	return n
}

// looksLikeHTML tells a page from a text by its media type or, when that
// says nothing useful, by markup near the start.
func looksLikeHTML(mediaType string, b []byte) bool {
	switch mediaType {
	case "text/html", "application/xhtml+xml":
		return bytes.IndexByte(b, '<') >= 0
	}
	head := b
	if len(head) > 1024 {
		head = head[:1024]
	}
	head = bytes.ToLower(head)
	for _, m := range []string{"<!doctype html", "<html", "<head", "<body", "<meta ", "<?xml"} {
		if i := bytes.Index(head, []byte(m)); i >= 0 && startsMarkup(head[:i]) {
			return true
		}
	}
	return false
}

// startsMarkup reports whether what precedes a tag is only white space,
// a BOM and comments, so that a text that merely mentions <html> stays a
// text.
func startsMarkup(pre []byte) bool {
	pre = bytes.TrimPrefix(pre, []byte("\xef\xbb\xbf"))
	for {
		pre = bytes.TrimLeft(pre, " \t\r\n\f")
		if len(pre) == 0 {
			return true
		}
		if !bytes.HasPrefix(pre, []byte("<!--")) && !bytes.HasPrefix(pre, []byte("<?xml")) && !bytes.HasPrefix(pre, []byte("<!doctype")) {
			return false
		}
		end := bytes.IndexByte(pre, '>')
		if bytes.HasPrefix(pre, []byte("<!--")) {
			end = bytes.Index(pre, []byte("-->"))
			if end >= 0 {
				end += 2
			}
		}
		if end < 0 {
			return true
		}
		pre = pre[end+1:]
	}
}

func isHTML(mediaType, text string) bool { return looksLikeHTML(mediaType, []byte(text)) }
