package bot

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestMask(t *testing.T) {
	for in, want := range map[string]string{
		"相馬太郎です。電話090-1234-5678に連絡ください": "相馬太郎です。電話〔電話番号〕に連絡ください",
		"相馬太郎です。電話０９０－１２３４－５６７８…":       "相馬太郎です。電話〔電話番号〕…",
		"電話０９０ー１２３４ー５６７８です":             "電話〔電話番号〕です",
		"電話09012345678":                      "電話〔電話番号〕",
		"市役所0244-37-2120と(0244)37-2121":      "市役所〔電話番号〕と〔電話番号〕",
		"フリーダイヤル0120-123-456":                "フリーダイヤル〔電話番号〕",
		"+81 90-1234-5678 / +81-3-1234-5678": "〔電話番号〕 / 〔電話番号〕",
		"＋８１　９０　１２３４　５６７８まで":                 "〔電話番号〕まで",
		"+81(0)3-1234-5678":                  "〔電話番号〕",
		"090−1234−5678、080‐1111‐2222":        "〔電話番号〕、〔電話番号〕",
		"メールはtaro.soma+city@example.co.jpへ":  "メールは〔メール〕へ",
		"ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ":                    "〔メール〕",
		"マイナンバー123456789012です":               "マイナンバー〔番号〕です",
		"番号は１２３４ １２３４ １２３４":                  "番号は〔番号〕",
		"1234-5678-9012":                     "〔番号〕",
		"〒976-8601 相馬市中村":                    "〔郵便番号〕 相馬市中村",
		"〒９７６－８６０１":                          "〔郵便番号〕",
		"住所は976-8601です":                      "住所は〔郵便番号〕です",
		"〒9768601":                           "〔郵便番号〕",
		"携帯は090 - 1234 - 5678です":             "携帯は〔電話番号〕です",
		"電話は0 9 0 1 2 3 4 5 6 7 8":           "電話は〔電話番号〕",
		"0244 - 37 - 2120まで":                 "〔電話番号〕まで",
		// Not personal numbers: left as they are.
		"2024年10月17日の計画":     "2024年10月17日の計画",
		"予算は1,000,000円":      "予算は1,000,000円",
		"第6次行財政改革大綱 1.1.1.1": "第6次行財政改革大綱 1.1.1.1",
		"2023-10-17に更新":      "2023-10-17に更新",
		// A number that runs on is no phone number but is masked still
		// (a card or account number); what follows a number is kept.
		"12345678901234567890の番号":           "〔番号〕の番号",
		"マイナンバー 1234-5678-9012-1":           "マイナンバー 〔番号〕",
		"電話は0244-37-2120 12日に":              "電話は〔電話番号〕 12日に",
		"(0244)37-2120 10時以降":               "〔電話番号〕 10時以降",
		"電話0244372120 1":                    "電話〔電話番号〕 1",
		"0244-37-2120 0244-37-2121":         "〔電話番号〕 〔電話番号〕",
		"090 1234 5678 と 0244 37 2120":      "〔電話番号〕 と 〔電話番号〕",
		"TEL:0244-37-2120/FAX:0244-37-2121": "TEL:〔電話番号〕/FAX:〔電話番号〕",
		"〒976 8601":                         "〔郵便番号〕",
		"メール taro@例え.jp":                    "メール 〔メール〕",
		"taro@example.jpです":                 "〔メール〕です",
		"ハザードマップの担当は？":                      "ハザードマップの担当は？",
	} {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q)\n got %q\nwant %q", in, got, want)
		}
	}
}

// TestUnansweredMasked: the not-covered log keeps the question with its
// personal numbers masked, and no longer than UnansweredKeep.
func TestUnansweredMasked(t *testing.T) {
	ctx := context.Background()
	u := &MemUnanswered{}
	q := Logged("相馬太郎です。電話090-1234-5678、メール taro@example.jp、〒976-8601 のごみ収集は？", time.Now())
	u.Add(ctx, q)
	qs, _ := u.Recent(ctx, 10)
	if len(qs) != 1 || qs[0].Text != "相馬太郎です。電話〔電話番号〕、メール 〔メール〕、〔郵便番号〕 のごみ収集は？" {
		t.Errorf("logged %+v", qs)
	}
	long := Logged(strings.Repeat("あ", 600)+"090-1234-5678", time.Now())
	if r := []rune(long.Text); len(r) != MaxLoggedQuestion+1 || strings.ContainsAny(long.Text, "0123456789") {
		t.Errorf("long question logged as %d runes", len(r))
	}
	// Past UnansweredKeep a question leaves, and the cap holds.
	old := &MemUnanswered{Cap: 3}
	old.Add(ctx, Question{Text: "古い", At: time.Now().Add(-UnansweredKeep - time.Hour)})
	for i := range 5 {
		old.Add(ctx, Question{Text: string(rune('a' + i)), At: time.Now()})
	}
	qs, _ = old.Recent(ctx, 10)
	if len(qs) != 3 || qs[0].Text != "e" || len(old.qs) != 3 {
		t.Errorf("kept %+v", qs)
	}
	expired := &MemUnanswered{}
	expired.Add(ctx, Question{Text: "古い", At: time.Now().Add(-UnansweredKeep - time.Minute)})
	if qs, _ := expired.Recent(ctx, 10); len(qs) != 0 || len(expired.qs) != 0 {
		t.Errorf("a question past its time kept: %+v", qs)
	}
}
