package bench

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"time"
)

// simClientID is the client id the simulator serves.
const simClientID = "12"

// simulator is a running `mbiload simulate` process.
type simulator struct {
	// URL is the API's base URL.
	URL string
	// Env is what a client process needs: the API URL, key and client id.
	Env []string

	cmd  *exec.Cmd
	done chan error
}

// listenURL finds the URL in the simulator's "listening" log line.
var listenURL = regexp.MustCompile(`simulated Export API listening.* url=(\S+)`)

// startSimulator runs `bin simulate` with args on a free loopback port and
// returns once it listens. The API key is random and travels in the
// environment, never in arguments or output.
func startSimulator(ctx context.Context, bin string, args ...string) (*simulator, error) {
	keyBytes := make([]byte, 16)
	if _, err := rand.Read(keyBytes); err != nil {
		return nil, fmt.Errorf("make an API key: %w", err)
	}
	key := hex.EncodeToString(keyBytes)
	args = append([]string{"simulate", "--listen", "127.0.0.1:0", "--client-id", simClientID}, args...)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "MBILOAD_API_KEY="+key, "MBILOAD_LOG_FORMAT=text", "MBILOAD_LOG_LEVEL=info")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, fmt.Errorf("simulator stderr: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start simulator: %w", err)
	}
	s := &simulator{cmd: cmd, done: make(chan error, 1)}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		var last []string
		for sc.Scan() {
			if m := listenURL.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
				break
			}
			last = append(last, sc.Text())
		}
		io.Copy(io.Discard, stderr) // the request log
		err := cmd.Wait()
		if err != nil && len(last) > 0 {
			err = fmt.Errorf("%w\n%s", err, tail(fmt.Sprint(last), 5))
		}
		s.done <- err
	}()
	wait := time.NewTimer(3 * time.Minute)
	defer wait.Stop()
	select {
	case s.URL = <-found:
	case err := <-s.done:
		return nil, fmt.Errorf("simulator exited before listening: %v", err)
	case <-wait.C:
		s.Stop()
		return nil, fmt.Errorf("simulator did not listen within 3 minutes")
	case <-ctx.Done():
		s.Stop()
		return nil, ctx.Err()
	}
	s.Env = []string{"MBILOAD_API_URL=" + s.URL, "MBILOAD_API_KEY=" + key, "MBILOAD_CLIENT_ID=" + simClientID}
	return s, nil
}

// cpuSeconds returns the CPU seconds the simulator has used so far.
func (s *simulator) cpuSeconds() (float64, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(s.cmd.Process.Pid) + "/stat")
	if err != nil {
		return 0, fmt.Errorf("read simulator stat: %w", err)
	}
	st, err := parseStat(data)
	if err != nil {
		return 0, err
	}
	return float64(st.utime+st.stime) / userHZ, nil
}

// Stop interrupts the simulator and waits for it, killing it after 30
// seconds.
func (s *simulator) Stop() error {
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
		return nil
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
		return fmt.Errorf("simulator did not stop on interrupt: killed")
	}
}
