package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

// TestServeRefusesBadSecuritySettings: an admin token too short to resist
// guessing and a trusted-proxy list that does not parse stop serve at
// once, with the setting named.
func TestServeRefusesBadSecuritySettings(t *testing.T) {
	for _, c := range []struct {
		key, value, want string
	}{
		{"PLANBOT_ADMIN_TOKEN", "tok", "PLANBOT_ADMIN_TOKEN: 3 characters is too short"},
		{"PLANBOT_ADMIN_TOKEN", "123456789012345", "at least 16"},
		{"PLANBOT_ADMIN_TOKEN", "相馬市役所の管理者トークンです", "PLANBOT_ADMIN_TOKEN: 15 characters"},
		{"PLANBOT_TRUSTED_PROXIES", "10.0.0.0/8, nginx", `PLANBOT_TRUSTED_PROXIES: "nginx" is neither a CIDR`},
		{"PLANBOT_TRUSTED_PROXIES", "10.0.0.0/40", "PLANBOT_TRUSTED_PROXIES"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		e := env("PLANBOT_DATA_DIR", t.TempDir(), "PLANBOT_ADDR", "127.0.0.1:0", c.key, c.value)
		start := time.Now()
		err := run(ctx, []string{"serve"}, e, strings.NewReader(""), io.Discard, io.Discard)
		cancel()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s=%q: %v, want %q", c.key, c.value, err, c.want)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s=%q refused after %v: the settings are checked before the plan loads", c.key, c.value, d)
		}
	}
}
