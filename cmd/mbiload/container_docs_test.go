package main

import (
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// appEnvVars returns every environment variable a flag of the CLI reads.
func appEnvVars() map[string]bool {
	app := newApp(strings.NewReader(""), io.Discard, io.Discard)
	out := map[string]bool{}
	var walk func(flags []cli.Flag, cmds []*cli.Command)
	walk = func(flags []cli.Flag, cmds []*cli.Command) {
		for _, f := range flags {
			if ef, ok := f.(interface{ GetEnvVars() []string }); ok {
				for _, e := range ef.GetEnvVars() {
					out[e] = true
				}
			}
		}
		for _, c := range cmds {
			walk(c.Flags, c.Subcommands)
		}
	}
	walk(app.Flags, app.Commands)
	return out
}

// readRepoFile returns a file of the repository, relative to its root.
func readRepoFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile("../../" + path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestContainerRecipes checks the container recipes as text: the README's
// CronJob names the image the Dockerfile builds, runs as non-root with a
// read-only root file system, reads only environment variables mbiload
// knows, and uses only secrets (and keys) that the README's kubectl
// commands create; docker-compose.yml builds the Dockerfile, keeps the key
// and the password in compose secrets whose files exist, publishes no
// port on the host and sets no variable mbiload does not read; the
// .dockerignore keeps bin/ out but bin/image-root in; CI builds the image.
func TestContainerRecipes(t *testing.T) {
	known := appEnvVars()
	readme := readRepoFile(t, "README.md")
	k8s, _, _ := strings.Cut(readme[strings.Index(readme, "### Kubernetes CronJob"):], "### Docker Compose")
	yamlBlock := between(t, k8s, "```yaml\n", "```")
	shBlock := between(t, k8s, "```sh\n", "```")
	for _, want := range []string{"image: registry.example.com/mbiload:1", "runAsNonRoot: true", "runAsUser: 65532",
		"readOnlyRootFilesystem: true", "allowPrivilegeEscalation: false", `capabilities: {drop: ["ALL"]}`, "{name: tmp, mountPath: /tmp}"} {
		if !strings.Contains(yamlBlock, want) {
			t.Errorf("the CronJob lacks %q", want)
		}
	}
	if !strings.Contains(k8s, "make image IMAGE=registry.example.com/mbiload:1") || !strings.Contains(k8s, "docker build -t registry.example.com/mbiload:1 .") {
		t.Errorf("the README does not say how the CronJob's image is built")
	}
	for _, m := range regexp.MustCompile(`name: ([A-Z][A-Z0-9_]+)[,}]`).FindAllStringSubmatch(yamlBlock, -1) {
		if !known[m[1]] {
			t.Errorf("the CronJob sets %s, which mbiload does not read", m[1])
		}
	}
	// secretName: S (optionally items: [{key: K ...}]) and secretKeyRef: {name: S, key: K}.
	created := map[string][]string{} // secret → keys, from the kubectl commands
	for _, m := range regexp.MustCompile(`kubectl create secret generic ([a-z0-9-]+)((?:\s+(?:\\\n\s*)?--from-(?:file|literal)=[a-z-]+=\S+)+)`).FindAllStringSubmatch(shBlock, -1) {
		for _, k := range regexp.MustCompile(`--from-(?:file|literal)=([a-z-]+)=`).FindAllStringSubmatch(m[2], -1) {
			created[m[1]] = append(created[m[1]], k[1])
		}
	}
	used := 0
	for _, m := range regexp.MustCompile(`secretKeyRef: \{name: ([a-z0-9-]+), key: ([a-z-]+)\}|secretName: ([a-z0-9-]+)(?:, items: \[\{key: ([a-z-]+))?`).FindAllStringSubmatch(yamlBlock, -1) {
		name, key := m[1]+m[3], m[2]+m[4]
		used++
		keys, ok := created[name]
		if !ok {
			t.Errorf("the CronJob uses secret %s, which no kubectl command creates (created: %v)", name, created)
		} else if key != "" && !slices.Contains(keys, key) {
			t.Errorf("the CronJob uses key %s of secret %s, which has %v", key, name, keys)
		}
	}
	if used < 3 {
		t.Errorf("found %d secret references in the CronJob, want 3", used)
	}
	if !strings.Contains(yamlBlock, "{name: MBILOAD_API_KEY_FILE, value: /secrets/api-key/api-key}") ||
		!strings.Contains(yamlBlock, "{name: api-key, mountPath: /secrets/api-key, readOnly: true}") {
		t.Errorf("the key file's path does not match the api-key secret's mount and key")
	}

	compose := readRepoFile(t, "docker-compose.yml")
	for _, want := range []string{"dockerfile: Dockerfile", "secrets:", "MBILOAD_API_KEY_FILE: /run/secrets/api_key",
		"MBILOAD_DATABASE_PASSWORD_FILE: /run/secrets/db_password", "POSTGRES_PASSWORD_FILE: /run/secrets/db_password"} {
		if !strings.Contains(compose, want) {
			t.Errorf("docker-compose.yml lacks %q", want)
		}
	}
	for _, bad := range []string{"dockerfile_inline", "\n    ports:", "MBILOAD_API_KEY:", "POSTGRES_PASSWORD:", "mbiload:mbiload@"} {
		if strings.Contains(compose, bad) {
			t.Errorf("docker-compose.yml holds %q", bad)
		}
	}
	for _, m := range regexp.MustCompile(`\n      (MBILOAD_[A-Z_]+|DATABASE_URL):`).FindAllStringSubmatch(compose, -1) {
		if !known[m[1]] {
			t.Errorf("docker-compose.yml sets %s, which mbiload does not read", m[1])
		}
	}
	for _, m := range regexp.MustCompile(`file: \$\{[A-Z_]+:-\./([^}]+)\}`).FindAllStringSubmatch(compose, -1) {
		if _, err := os.Stat("../../" + m[1]); err != nil {
			t.Errorf("compose secret file %s: %v", m[1], err)
		}
	}
	dockerfile := readRepoFile(t, "Dockerfile")
	for _, want := range []string{"FROM scratch", "make image-root", "USER 65532:65532", `ENTRYPOINT ["/mbiload"]`} {
		if !strings.Contains(dockerfile, want) {
			t.Errorf("the Dockerfile lacks %q", want)
		}
	}
	ignore := strings.Split(readRepoFile(t, ".dockerignore"), "\n")
	for _, want := range []string{"bin/*", "!bin/image-root/", "compose/secrets/"} {
		if !slices.Contains(ignore, want) {
			t.Errorf(".dockerignore lacks the line %q", want)
		}
	}
	if !regexp.MustCompile(`(?m)^make image$`).MatchString(readRepoFile(t, ".ci/run")) {
		t.Errorf(".ci/run does not build the image (make image)")
	}
}

// between returns the text of s between the first start and the next end.
func between(t *testing.T, s, start, end string) string {
	t.Helper()
	_, after, ok := strings.Cut(s, start)
	if !ok {
		t.Fatalf("no %q", start)
	}
	in, _, ok := strings.Cut(after, end)
	if !ok {
		t.Fatalf("no %q after %q", end, start)
	}
	return in
}
