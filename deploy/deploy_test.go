// Package deploy_test checks the deployment files: the Dockerfile (read
// statically: no Docker engine runs where the tests run), the install
// script (run for real into a temporary prefix) and the systemd unit
// (checked by systemd-analyze when it is installed).
package deploy_test

import (
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// instruction is one Dockerfile instruction.
type instruction struct {
	cmd  string   // upper case: FROM, RUN, COPY, …
	args []string // the words after it (JSON arrays left as one word)
	line string   // its text, continuation lines joined
}

// stage is one FROM … section.
type stage struct {
	name  string
	instr []instruction
}

func (s stage) all(cmd string) []instruction {
	var out []instruction
	for _, in := range s.instr {
		if in.cmd == cmd {
			out = append(out, in)
		}
	}
	return out
}

// parseDockerfile splits a Dockerfile into stages of instructions.
func parseDockerfile(t *testing.T, file string) []stage {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var stages []stage
	var cur strings.Builder
	flush := func() {
		line := strings.TrimSpace(cur.String())
		cur.Reset()
		if line == "" {
			return
		}
		f := strings.Fields(line)
		in := instruction{cmd: strings.ToUpper(f[0]), args: f[1:], line: line}
		if in.cmd == "FROM" {
			st := stage{}
			if len(f) >= 4 && strings.EqualFold(f[2], "AS") {
				st.name = f[3]
			}
			stages = append(stages, st)
		}
		if len(stages) == 0 {
			t.Fatalf("instruction before FROM: %s", line)
		}
		stages[len(stages)-1].instr = append(stages[len(stages)-1].instr, in)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "#") {
			continue
		}
		if s, ok := strings.CutSuffix(strings.TrimRight(l, " \t"), "\\"); ok {
			cur.WriteString(s + " ")
			continue
		}
		cur.WriteString(l)
		flush()
	}
	flush()
	return stages
}

// copyOf splits a COPY into its flags and its sources and destination.
func copyOf(in instruction) (flags map[string]string, srcs []string, dst string) {
	flags = map[string]string{}
	var words []string
	for _, a := range in.args {
		if k, v, ok := strings.Cut(strings.TrimPrefix(a, "--"), "="); ok && strings.HasPrefix(a, "--") {
			flags[k] = v
		} else {
			words = append(words, a)
		}
	}
	return flags, words[:len(words)-1], words[len(words)-1]
}

// TestDockerfile: the runtime stage runs as the distroless nonroot user
// (65532), /data (the version store, a volume) is created in the build
// stage and copied owned by that user, and the licence files of the
// embedded data are copied beside the binary.
func TestDockerfile(t *testing.T) {
	stages := parseDockerfile(t, "../Dockerfile")
	if len(stages) != 2 || stages[0].name == "" {
		t.Fatalf("want a named build stage and a runtime stage, got %d stages", len(stages))
	}
	build, final := stages[0], stages[1]
	var buildRuns strings.Builder
	for _, in := range build.all("RUN") {
		buildRuns.WriteString(in.line + "\n")
	}

	users := final.all("USER")
	if len(users) != 1 {
		t.Fatalf("runtime stage has %d USER lines", len(users))
	}
	user := users[0].args[0]
	if user != "65532:65532" && user != "65532" && user != "nonroot" && user != "nonroot:nonroot" {
		t.Errorf("runtime user %q, want distroless nonroot (65532)", user)
	}
	uid := "65532"

	// PLANBOT_DATA_DIR is the volume.
	envs := map[string]string{}
	for _, in := range final.all("ENV") {
		for _, a := range in.args {
			if k, v, ok := strings.Cut(a, "="); ok {
				envs[k] = v
			}
		}
	}
	dataDir := envs["PLANBOT_DATA_DIR"]
	if dataDir == "" || !slices.ContainsFunc(final.all("VOLUME"), func(in instruction) bool { return slices.Contains(in.args, dataDir) }) {
		t.Fatalf("PLANBOT_DATA_DIR %q is not a VOLUME", dataDir)
	}

	// The data dir comes from the build stage, copied with the runtime
	// user as owner: either COPY --chown=U SRC DATADIR, or
	// COPY --chown=U SRC/ PARENT where the build stage makes SRC/DATADIR.
	owned := false
	for _, in := range final.all("COPY") {
		flags, srcs, dst := copyOf(in)
		if flags["from"] != build.name || !strings.HasPrefix(flags["chown"], uid) && !strings.HasPrefix(flags["chown"], "nonroot") {
			continue
		}
		for _, src := range srcs {
			made := path.Join(src, strings.TrimPrefix(dataDir, path.Clean(dst)))
			if path.Clean(dst) == dataDir || strings.Contains(buildRuns.String(), "mkdir -p "+made) {
				owned = true
			}
		}
	}
	if !owned {
		t.Errorf("%s is not created in the build stage and copied with --chown=%s", dataDir, uid)
	}

	// Every licence of data/dict is copied beside the binary.
	entry := final.all("ENTRYPOINT")
	if len(entry) != 1 {
		t.Fatal("no ENTRYPOINT")
	}
	bin := strings.Trim(strings.Join(entry[0].args, " "), `[]"`)
	binDir := path.Dir(bin)
	var shipped string // the build-stage dir copied to binDir
	for _, in := range final.all("COPY") {
		flags, srcs, dst := copyOf(in)
		if flags["from"] == build.name && path.Clean(dst) == binDir && len(srcs) == 1 {
			shipped = path.Clean(srcs[0])
		}
	}
	if shipped == "" {
		t.Fatalf("nothing copied to %s, the binary's dir", binDir)
	}
	if !strings.Contains(buildRuns.String(), "-o "+shipped+"/"+path.Base(bin)) {
		t.Errorf("the binary is not built into %s", shipped)
	}
	licences, _ := filepath.Glob("../data/dict/LICENSE-*.txt")
	if len(licences) < 3 {
		t.Fatalf("licence files: %v", licences)
	}
	copied := regexp.MustCompile(`cp ((?:data/dict/\S+ )+)`+regexp.QuoteMeta(shipped)+`/`).FindAllStringSubmatch(buildRuns.String(), -1)
	var got []string
	for _, m := range copied {
		for _, f := range strings.Fields(m[1]) {
			matches, _ := filepath.Glob("../" + f)
			got = append(got, matches...)
		}
	}
	for _, l := range licences {
		if !slices.Contains(got, l) {
			t.Errorf("%s is not copied beside the binary in the image", l)
		}
	}
}

// TestInstall runs the install script into a temporary prefix: the binary
// and, beside it, every licence of the embedded data and their README.
func TestInstall(t *testing.T) {
	prefix := filepath.Join(t.TempDir(), "opt", "planbot")
	bin := filepath.Join(t.TempDir(), "planbot")
	os.WriteFile(bin, []byte("#!/bin/sh\necho planbot\n"), 0o755)
	cmd := exec.Command("sh", "install.sh")
	cmd.Env = append(os.Environ(), "PREFIX="+prefix, "PLANBOT_BIN="+bin)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("install.sh: %v\n%s", err, out)
	}
	fi, err := os.Stat(filepath.Join(prefix, "planbot"))
	if err != nil || fi.Mode().Perm() != 0o755 {
		t.Fatalf("binary: %v %v", fi, err)
	}
	licences, _ := filepath.Glob("../data/dict/LICENSE-*.txt")
	for _, l := range append(licences, "README-dict.md") {
		if _, err := os.Stat(filepath.Join(prefix, filepath.Base(l))); err != nil {
			t.Errorf("not installed beside the binary: %v", err)
		}
	}
	// The unit runs the binary where the script puts it by default.
	unit, _ := os.ReadFile("planbot.service")
	if !strings.Contains(string(unit), "ExecStart=/opt/planbot/planbot ") {
		t.Error("ExecStart does not run /opt/planbot/planbot, where install.sh installs it")
	}
}

// TestUnit: the unit's environment is one variable per line (Environment=
// lines and the example of the environment file alike); systemd-analyze,
// when installed, finds nothing wrong with it.
func TestUnit(t *testing.T) {
	b, err := os.ReadFile("planbot.service")
	if err != nil {
		t.Fatal(err)
	}
	assign := regexp.MustCompile(`[A-Z][A-Z0-9_]*=`)
	example := 0
	for _, l := range strings.Split(string(b), "\n") {
		switch {
		case strings.HasPrefix(l, "Environment="):
			if n := len(assign.FindAllString(strings.TrimPrefix(l, "Environment="), -1)); n != 1 {
				t.Errorf("%d variables on one line: %s", n, l)
			}
		case strings.HasPrefix(l, "#") && len(assign.FindAllString(l, -1)) > 0:
			example++
			if n := len(assign.FindAllString(l, -1)); n != 1 {
				t.Errorf("example environment: %d variables on one line: %s", n, l)
			}
		}
	}
	if example < 5 {
		t.Errorf("the example environment file lists %d variables", example)
	}
	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not installed")
	}
	// Verify a copy whose ExecStart names an executable that exists.
	dir := t.TempDir()
	exe := filepath.Join(dir, "planbot")
	os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755)
	unit := filepath.Join(dir, "planbot.service")
	os.WriteFile(unit, []byte(strings.ReplaceAll(string(b), "/opt/planbot/planbot", exe)), 0o644)
	if out, err := exec.Command(sa, "verify", unit).CombinedOutput(); err != nil || strings.Contains(string(out), "planbot.service") {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}
