package versions

import (
	"errors"
	"testing"
	"time"

	"planbot/data"
)

func TestStore(t *testing.T) {
	s, err := Open(t.TempDir() + "/v")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Current(); !errors.Is(err, ErrNotFound) {
		t.Fatalf("empty store: %v", err)
	}
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	v1, err := s.Add(data.DefaultText(), data.Default(), "embedded", now)
	if err != nil {
		t.Fatal(err)
	}
	if v1.ID != "0001-"+Hash(data.DefaultText())[:8] || v1.Items != 50 || v1.Updated != "2023-10-17" || !v1.LoadedAt.Equal(now) {
		t.Errorf("v1 = %+v", v1)
	}
	text2 := []byte("T2\n1 方針\n(1)施策\n取組\n実施内容 担当課\nA。 甲課\n")
	p2, _ := data.Parse(text2)
	v2, err := s.Add(text2, p2, "upload", now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	cur, text, err := s.Current()
	if err != nil || cur.ID != v2.ID || string(text) != string(text2) {
		t.Fatalf("current = %+v, %v", cur, err)
	}
	if err := s.SetCurrent(v1.ID); err != nil {
		t.Fatal(err)
	}
	// A fresh Store on the same directory (a restart) sees the rollback.
	s2, _ := Open(s.Dir())
	if cur, _, _ := s2.Current(); cur.ID != v1.ID {
		t.Errorf("after restart current = %s, want %s", cur.ID, v1.ID)
	}
	all, err := s2.List()
	if err != nil || len(all) != 2 || all[0].ID != v1.ID {
		t.Errorf("list = %+v %v", all, err)
	}
	// Re-adding a known text reuses its version.
	if v, _ := s2.Add(text2, p2, "again", now); v.ID != v2.ID {
		t.Errorf("re-add = %s, want %s", v.ID, v2.ID)
	}
	for _, bad := range []string{"", "../x", "0009-deadbeef"} {
		if _, _, err := s2.Get(bad); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get(%q) = %v", bad, err)
		}
	}
}
