package bot_test

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"strings"
	"testing"

	"planbot/data"
)

// TestPlanInfo: GET /api/plan names the plan's desk, in English as far as
// the department table names its units.
func TestPlanInfo(t *testing.T) {
	var info struct {
		Title   string       `json:"title"`
		Updated string       `json:"updated"`
		Contact data.Contact `json:"contact"`
		DeskEN  string       `json:"desk_en"`
	}
	s := newService(t, "", nil)
	code, b := s.do(t, "GET", "/api/plan", "", nil)
	if err := json.Unmarshal(b, &info); code != 200 || err != nil || info.Updated != "2023-10-17" || info.Contact.Desk != "総務課 行政管理係" ||
		info.Contact.Phone != "0244-37-2120" || info.DeskEN != "General Affairs Division, Administrative Management Section" {
		t.Errorf("plan: %d %s", code, b)
	}
}

// TestFavicon: both pages name the favicon, which the service serves from
// the binary.
func TestFavicon(t *testing.T) {
	s := newService(t, "tok", nil)
	resp, err := http.Get(s.URL + "/static/favicon.svg")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/svg+xml" || xml.Unmarshal(b, new(struct{})) != nil {
		t.Errorf("favicon: %d %s\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	for _, page := range []string{"/", "/admin"} {
		if _, b := s.do(t, "GET", page, "", nil); !strings.Contains(string(b), `<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">`) {
			t.Errorf("%s names no favicon", page)
		}
	}
}
