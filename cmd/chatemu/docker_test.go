package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/chatemu/chatemu/emulator/clock"
	"github.com/chatemu/chatemu/emulator/tlscert"
)

// dockerImage is what the repository's Dockerfile says of the image it
// builds: the runtime stage's environment and its HEALTHCHECK command.
type dockerImage struct {
	env         map[string]string
	healthcheck []string
}

// readDockerfile parses the Dockerfile's runtime stage (after the last
// FROM): its ENV lines (KEY=VALUE pairs) and its HEALTHCHECK's exec-form
// CMD.
func readDockerfile(t *testing.T) dockerImage {
	t.Helper()
	b, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	// Join continued lines, drop comments.
	var lines []string
	cur := ""
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "#") {
			continue
		}
		if s, ok := strings.CutSuffix(l, "\\"); ok {
			cur += s
			continue
		}
		lines = append(lines, cur+l)
		cur = ""
	}
	img := dockerImage{env: map[string]string{}}
	for _, l := range lines {
		word, rest, _ := strings.Cut(strings.TrimSpace(l), " ")
		switch word {
		case "FROM":
			img = dockerImage{env: map[string]string{}}
		case "ENV":
			for _, kv := range strings.Fields(rest) {
				k, v, ok := strings.Cut(kv, "=")
				if !ok {
					t.Fatalf("ENV %s: want KEY=VALUE", rest)
				}
				img.env[k] = v
			}
		case "HEALTHCHECK":
			_, cmd, ok := strings.Cut(rest, " CMD ")
			if !ok {
				t.Fatalf("HEALTHCHECK %s: no CMD", rest)
			}
			if err := json.Unmarshal([]byte(strings.TrimSpace(cmd)), &img.healthcheck); err != nil {
				t.Fatalf("HEALTHCHECK CMD %s: want the exec form (a JSON array): %v", cmd, err)
			}
		}
	}
	if len(img.healthcheck) == 0 || img.healthcheck[0] != "/chatemu" {
		t.Fatalf("HEALTHCHECK %q: want /chatemu …", img.healthcheck)
	}
	return img
}

// environ is the test process's environment without any CHATEMU_ variable,
// plus env.
func environ(env map[string]string) []string {
	out := slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "CHATEMU_") })
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

var listenAddr = regexp.MustCompile(`addr=(\S+)`)

// startServeEnv runs the binary's serve, configured by env alone as in
// the container, and returns the address it bound once it listens.
func startServeEnv(t *testing.T, bin string, env map[string]string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = environ(env)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); cmd.Wait() })
	sc := bufio.NewScanner(stderr)
	var log []string
	for sc.Scan() {
		log = append(log, sc.Text())
		if m := listenAddr.FindStringSubmatch(sc.Text()); m != nil && strings.Contains(sc.Text(), "chatemu listening") {
			go io.Copy(io.Discard, stderr)
			return m[1]
		}
	}
	t.Fatalf("chatemu exited before listening:\n%s", strings.Join(log, "\n"))
	return ""
}

// writeCertFiles writes a self-signed certificate for the loopback names
// and its key as PEM files, for --tls-cert and --tls-key.
func writeCertFiles(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	cert, _, err := tlscert.SelfSigned(clock.Wall().WallNow(), tlscert.LocalHosts()...)
	if err != nil {
		t.Fatal(err)
	}
	key, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// TestDockerHealthcheckCommand runs the Dockerfile's HEALTHCHECK command
// line, with the built binary in place of /chatemu, in the environment
// the image gives it, against a server that has the same environment, as
// in a container: on a port other than 8080 (CHATEMU_ADDR=0.0.0.0:PORT,
// as `docker run -e CHATEMU_ADDR=:PORT` would make it, the check asking
// 127.0.0.1), over TLS (self-signed and from files), and with a control
// token. Each passes; the same check with the server's TLS setting left
// out fails, so it is the environment the check follows. No Docker engine
// is needed: TestDockerImageHealthy runs the same image where one is.
func TestDockerHealthcheckCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	img := readDockerfile(t)
	if img.env["CHATEMU_ADDR"] != "0.0.0.0:8080" {
		t.Fatalf("the image's CHATEMU_ADDR is %q, want 0.0.0.0:8080", img.env["CHATEMU_ADDR"])
	}
	bin := buildBinary(t)
	certFile, keyFile := writeCertFiles(t)
	for _, tt := range []struct {
		name string
		env  map[string]string // of the container: server and check alike
		off  string            // a variable the check fails without
	}{
		{name: "other port", env: map[string]string{}},
		{name: "tls self-signed", env: map[string]string{"CHATEMU_TLS": "1"}, off: "CHATEMU_TLS"},
		{name: "tls from files", env: map[string]string{"CHATEMU_TLS_CERT": certFile, "CHATEMU_TLS_KEY": keyFile}, off: "CHATEMU_TLS_CERT"},
		{name: "control token", env: map[string]string{"CHATEMU_CONTROL_TOKEN": "healthcheck-token"}},
		{name: "all at once", env: map[string]string{"CHATEMU_TLS": "true", "CHATEMU_CONTROL_TOKEN": "healthcheck-token", "CHATEMU_ACCESS_LOG": "1"}, off: "CHATEMU_TLS"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range img.env {
				env[k] = v
			}
			for k, v := range tt.env {
				env[k] = v
			}
			// The server binds a free loopback port (not the wildcard, in a
			// test); the check gets the image's wildcard host on that port.
			env["CHATEMU_ADDR"] = "127.0.0.1:0"
			addr := startServeEnv(t, bin, env)
			_, port, _ := strings.Cut(addr, ":")
			if port == "8080" {
				t.Fatal("the server bound 8080: the test would not show the check follows CHATEMU_ADDR")
			}
			env["CHATEMU_ADDR"] = "0.0.0.0:" + port

			check := func(env map[string]string) (int, string) {
				cmd := exec.Command(bin, img.healthcheck[1:]...)
				cmd.Env = environ(env)
				out, err := cmd.CombinedOutput()
				if ee, ok := err.(*exec.ExitError); ok {
					return ee.ExitCode(), string(out)
				} else if err != nil {
					t.Fatal(err)
				}
				return 0, string(out)
			}
			if code, out := check(env); code != 0 || out != "ok\n" {
				t.Errorf("HEALTHCHECK %q: exit %d %q", img.healthcheck, code, out)
			}
			if tt.off != "" {
				without := map[string]string{}
				for k, v := range env {
					if k != tt.off {
						without[k] = v
					}
				}
				if code, out := check(without); code == 0 {
					t.Errorf("without %s the check passed: %q", tt.off, out)
				}
			}
		})
	}
}

// dockerEngine skips the test unless a Docker engine answers.
func dockerEngine(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a Docker image")
	}
	if _, err := exec.LookPath("docker"); err != nil {
		t.Skip("no docker command: the image is checked by TestDockerHealthcheckCommand and TestDockerfile instead")
	}
	if out, err := exec.Command("docker", "info", "--format", "{{.ServerVersion}}").CombinedOutput(); err != nil {
		t.Skipf("no Docker engine (docker info: %v: %s): the image is checked by TestDockerHealthcheckCommand and TestDockerfile instead",
			err, strings.TrimSpace(string(out)))
	}
}

// docker runs the docker command and returns its trimmed output.
func docker(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("docker", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// buildImage builds the repository's Dockerfile into a tag of its own,
// removed when the test ends.
func buildImage(t *testing.T) string {
	t.Helper()
	tag := "chatemu-test:" + randomHex(t)
	docker(t, "build", "--build-arg", "VERSION=test", "-t", tag, "../..")
	t.Cleanup(func() { exec.Command("docker", "rmi", "-f", tag).Run() })
	return tag
}

func randomHex(t *testing.T) string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// TestDockerImageHealthy, where a Docker engine exists: the image built
// from the repository, run on another port, over TLS and with a control
// token, becomes healthy, and its health log shows the check's "ok".
func TestDockerImageHealthy(t *testing.T) {
	dockerEngine(t)
	tag := buildImage(t)
	name := "chatemu-test-" + randomHex(t)
	// The engine's events, followed from before the container starts: the
	// test waits for the health event itself, however long it takes.
	events := exec.Command("docker", "events", "--filter", "container="+name,
		"--filter", "event=health_status", "--filter", "event=die", "--format", "{{.Status}}")
	out, err := events.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := events.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { events.Process.Kill(); events.Wait() })
	docker(t, "run", "-d", "--name", name, "-e", "CHATEMU_ADDR=0.0.0.0:9090", "-e", "CHATEMU_TLS=1",
		"-e", "CHATEMU_CONTROL_TOKEN=docker-test", tag)
	t.Cleanup(func() { exec.Command("docker", "rm", "-f", name).Run() })
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		switch status := strings.TrimSpace(sc.Text()); status {
		case "health_status: healthy":
			log := docker(t, "inspect", "--format", "{{range .State.Health.Log}}{{.ExitCode}} {{.Output}}{{end}}", name)
			if !strings.Contains(log, "0 ok") {
				t.Errorf("health log: %s", log)
			}
			return
		case "health_status: unhealthy", "die":
			logs, _ := exec.Command("docker", "logs", name).CombinedOutput()
			health, _ := exec.Command("docker", "inspect", "--format", "{{json .State.Health}}", name).CombinedOutput()
			t.Fatalf("container: %s\nhealth: %s\nlogs:\n%s", status, health, logs)
		}
	}
	t.Fatalf("docker events ended: %v", sc.Err())
}

// composeFile is what TestComposeExample reads of examples/docker-compose.yml.
type composeFile struct {
	Services map[string]struct {
		Image string
		Build struct {
			Context string
		}
		Environment map[string]string
		Healthcheck struct {
			Test []string
		}
		DependsOn map[string]struct {
			Condition string
		} `yaml:"depends_on"`
		Volumes []string
		Command []string
	}
}

// TestComposeExample: the compose example builds chatemu from this
// repository and runs the Python example beside it, started only once
// chatemu is healthy, with the image's own health check; both sides name
// chatemu by its service name (the client's CHATEMU_URL, chatemu's
// CHATEMU_PUBLIC_URL, so that base_url and every signed link resolve in the
// client's container); the client image is pinned by digest and its
// program exists. TestComposeExampleRuns runs it where Docker is.
func TestComposeExample(t *testing.T) {
	b, err := os.ReadFile(composePath)
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	if err := dec.Decode(&c); err != nil {
		t.Fatal(err)
	}
	emu, client := c.Services["chatemu"], c.Services["client"]
	img := readDockerfile(t)
	pinned := regexp.MustCompile(`^[a-z0-9./-]+:[A-Za-z0-9._-]+@sha256:[0-9a-f]{64}$`)
	for _, tt := range []struct {
		what string
		ok   bool
	}{
		{"chatemu is built from the repository", emu.Build.Context == ".."},
		{"chatemu's links name the service", emu.Environment["CHATEMU_PUBLIC_URL"] == "http://chatemu:8080"},
		{"chatemu logs its requests", emu.Environment["CHATEMU_ACCESS_LOG"] == "1"},
		{"chatemu's health check is the image's", slices.Equal(emu.Healthcheck.Test, append([]string{"CMD"}, img.healthcheck...))},
		{"the client waits for a healthy chatemu", client.DependsOn["chatemu"].Condition == "service_healthy"},
		{"the client reaches the service", client.Environment["CHATEMU_URL"] == "http://chatemu:8080"},
		{"the client holds the control token", client.Environment["CHATEMU_CONTROL_TOKEN"] != "" &&
			client.Environment["CHATEMU_CONTROL_TOKEN"] == emu.Environment["CHATEMU_CONTROL_TOKEN"]},
		{"the client image is pinned", pinned.MatchString(client.Image)},
		{"the client runs the Python example", slices.Equal(client.Command, []string{"python3", "/examples/history_sync.py"}) &&
			slices.Contains(client.Volumes, "./:/examples:ro")},
	} {
		if !tt.ok {
			t.Errorf("%s", tt.what)
		}
	}
	if _, err := os.Stat("../../examples/history_sync.py"); err != nil {
		t.Error(err)
	}

}

// composePath is the compose example, from this package.
const composePath = "../../examples/docker-compose.yml"

// TestComposeExampleRuns, where a Docker engine exists: `docker compose up`
// builds chatemu, waits for it to be healthy, and the Python client syncs
// history through it and exits 0 with "OK".
func TestComposeExampleRuns(t *testing.T) {
	dockerEngine(t)
	project := "chatemu-test-" + randomHex(t)
	t.Cleanup(func() {
		exec.Command("docker", "compose", "-p", project, "-f", composePath, "down", "--rmi", "local", "-v").Run()
	})
	out, err := exec.Command("docker", "compose", "-p", project, "-f", composePath, "up", "--build", "--exit-code-from", "client").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "OK") {
		t.Fatalf("docker compose up: %v\n%s", err, out)
	}
}
