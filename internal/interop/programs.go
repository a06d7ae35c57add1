package interop

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"text/template"
)

// StartNginx runs nginx with the configuration template conf (a
// text/template file given {{.Dir}}, {{.Port}} and {{.AsRoot}}) with dir
// as its prefix, on a free loopback port, until the test ends. It
// returns the address nginx listens on.
func StartNginx(t testing.TB, conf, dir string) string {
	t.Helper()
	bin := Program(t, "nginx")
	tmpl, err := template.ParseFiles(conf)
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(FreePort(t))
	var b bytes.Buffer
	if err := tmpl.Execute(&b, map[string]any{"Dir": dir, "Port": port, "AsRoot": os.Geteuid() == 0}); err != nil {
		t.Fatal(err)
	}
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	errLog := filepath.Join(dir, "error.log")
	addr := net.JoinHostPort("127.0.0.1", port)
	Start(t, exec.Command(bin, "-p", dir, "-c", confPath, "-e", errLog, "-g", "daemon off;"), SIGQUIT, []string{addr}, errLog)
	return addr
}

// StartPHPFPM runs php-fpm (Debian's php-fpm8.2, or php-fpm) with a
// generated configuration in a temporary directory until the test ends:
// one pool on a Unix socket and one on a loopback TCP port, two workers
// each, as the current user, worker output caught. It returns both
// addresses in fastcgi.Config.Addr form ("unix:/path", "host:port").
func StartPHPFPM(t testing.TB) (unixAddr, tcpAddr string) {
	t.Helper()
	bin := Program(t, "php-fpm8.2", "php-fpm")
	dir := t.TempDir()
	sock := filepath.Join(dir, "fpm.sock")
	tcpAddr = net.JoinHostPort("127.0.0.1", strconv.Itoa(FreePort(t)))
	user := ""
	var args []string
	if os.Geteuid() == 0 {
		user = "user = root\ngroup = root\n"
		args = append(args, "-R") // php-fpm refuses to run as root without it
	}
	pool := func(name, listen string) string {
		return fmt.Sprintf("[%s]\nlisten = %s\n%spm = static\npm.max_children = 2\ncatch_workers_output = yes\nclear_env = yes\n", name, listen, user)
	}
	logFile := filepath.Join(dir, "fpm.log")
	conf := fmt.Sprintf("[global]\nerror_log = %s\npid = %s\ndaemonize = no\n\n", logFile, filepath.Join(dir, "fpm.pid")) +
		pool("unix", sock) + "\n" + pool("tcp", tcpAddr)
	confPath := filepath.Join(dir, "php-fpm.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	args = append(args, "-F", "-n", "-y", confPath)
	Start(t, exec.Command(bin, args...), SIGQUIT, []string{"unix:" + sock, tcpAddr}, logFile)
	return "unix:" + sock, tcpAddr
}
