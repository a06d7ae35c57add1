package main

import (
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/volthttp/volt/middleware"
)

// loadConfig reads, decodes and checks the configuration file. Its errors
// are ConfigErrors; the positions are returned for the errors found
// later, while the configuration is built.
func loadConfig(file string) (*Config, *positions, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, nil, err
	}
	return parseConfig(filepath.Base(file), data)
}

// parseConfig decodes and checks a configuration; name is the file name
// the errors show.
func parseConfig(name string, data []byte) (*Config, *positions, error) {
	pos := newPositions(name, data)
	root := parseJSON(data, pos)
	if root == nil {
		return nil, pos, pos.err()
	}
	cfg := new(Config)
	bind(pos, root, reflect.ValueOf(cfg).Elem(), "", "a configuration object")
	if err := pos.err(); err != nil {
		return nil, pos, err
	}
	checkConfig(cfg, pos)
	if err := pos.err(); err != nil {
		return nil, pos, err
	}
	return cfg, pos, nil
}

// checkConfig records in pos the values of cfg that are invalid.
func checkConfig(cfg *Config, pos *positions) {
	if len(cfg.Listeners) == 0 {
		pos.errorf("listeners", "want at least one listener")
	}
	addrs := map[string]string{}
	for i, l := range cfg.Listeners {
		p := fmt.Sprintf("listeners[%d]", i)
		if _, port, err := net.SplitHostPort(l.Addr); err != nil || !isPort(port) {
			pos.errorf(p+".addr", "%q: want \"host:port\"", l.Addr)
		} else if prev, dup := addrs[l.Addr]; dup && !strings.HasSuffix(l.Addr, ":0") {
			pos.errorf(p+".addr", "duplicate address %q (also %s)", l.Addr, prev)
		}
		addrs[l.Addr] = p + ".addr"
		if l.TLS != nil && len(l.TLS.Certificates) == 0 {
			pos.errorf(p+".tls.certificates", "want at least one certificate")
		}
	}
	checkPrefixes(pos, "trusted_proxies", cfg.TrustedProxies)
	checkAccessLog(pos, "access_log", cfg.AccessLog)
	if len(cfg.Sites) == 0 {
		pos.errorf("sites", "want at least one site")
	}
	hosts := map[string]string{}
	def := ""
	for i := range cfg.Sites {
		s := &cfg.Sites[i]
		p := fmt.Sprintf("sites[%d]", i)
		if s.Default || len(s.Hosts) == 0 {
			if def != "" {
				pos.errorf(p, "a second default site (also %s); a site without hosts is the default", def)
			}
			def = p
		}
		for j, h := range s.Hosts {
			hp := fmt.Sprintf("%s.hosts[%d]", p, j)
			key := strings.TrimSuffix(strings.ToLower(h), ".")
			switch {
			case !validHostPattern(key):
				pos.errorf(hp, "%q: want a host name, with an optional port, possibly starting with \"*.\"", h)
			case hosts[key] != "":
				pos.errorf(hp, "duplicate host %q (also %s)", h, hosts[key])
			default:
				hosts[key] = hp
			}
		}
		checkAccessLog(pos, p+".access_log", s.AccessLog)
		for j, r := range s.Rewrites {
			checkRewrite(pos, fmt.Sprintf("%s.rewrites[%d]", p, j), r)
		}
		paths := map[string]string{}
		for j := range s.Locations {
			lp := fmt.Sprintf("%s.locations[%d]", p, j)
			loc := &s.Locations[j]
			if prev := paths[loc.Path]; prev != "" {
				pos.errorf(lp+".path", "duplicate location %q (also %s)", loc.Path, prev)
			}
			paths[loc.Path] = lp + ".path"
			checkLocation(pos, lp, loc)
		}
	}
}

func isPort(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n >= 0 && n <= 65535
}

// validHostPattern reports whether h (lower case) is a pattern
// router.Hosts accepts.
func validHostPattern(h string) bool {
	if h == "" || strings.ContainsAny(h, "/ \t") {
		return false
	}
	if rest, ok := strings.CutPrefix(h, "*."); ok {
		h = rest
	}
	return h != "" && !strings.Contains(h, "*")
}

func checkPrefixes(pos *positions, path string, list []string) {
	for i, s := range list {
		if _, err := middleware.ParsePrefixes(s); err != nil {
			pos.errorf(fmt.Sprintf("%s[%d]", path, i), "%q: want an IP address or a CIDR prefix such as \"10.0.0.0/8\"", s)
		}
	}
}

func checkAccessLog(pos *positions, path string, l *AccessLogConfig) {
	if l == nil {
		return
	}
	if l.Path == "" {
		pos.errorf(path+".path", "want a file name, \"stdout\" or \"stderr\"")
	}
	switch l.Format {
	case "", "common", "combined":
	default:
		pos.errorf(path+".format", "%q: want \"common\" or \"combined\"", l.Format)
	}
}

func checkRedirectCode(pos *positions, path string, code int) {
	switch code {
	case 0, 301, 302, 303, 307, 308:
	default:
		pos.errorf(path, "%d: want 301, 302, 303, 307 or 308", code)
	}
}

func checkRewrite(pos *positions, path string, r RewriteConfig) {
	switch {
	case (r.Prefix == "") == (r.Regexp == ""):
		pos.errorf(path, "want exactly one of \"prefix\" and \"regexp\"")
	case r.Prefix != "" && r.Prefix[0] != '/':
		pos.errorf(path+".prefix", "%q: want a path starting with '/'", r.Prefix)
	case r.Regexp != "":
		if _, err := regexp.Compile(r.Regexp); err != nil {
			pos.errorf(path+".regexp", "%v", err)
		}
	}
	checkRedirectCode(pos, path+".redirect", r.Redirect)
}

// kindFields are the fields that apply to some kinds of location only.
var kindFields = []struct {
	name  string
	kinds []string
	set   func(l *LocationConfig) bool
}{
	{"root", []string{KindStatic, KindFastCGI}, func(l *LocationConfig) bool { return l.Root != "" }},
	{"index", []string{KindStatic, KindFastCGI}, func(l *LocationConfig) bool { return l.Index != nil }},
	{"compress", []string{KindStatic}, func(l *LocationConfig) bool { return l.Compress != nil }},
	{"listing", []string{KindStatic}, func(l *LocationConfig) bool { return l.Listing }},
	{"strip_prefix", []string{KindStatic, KindProxy}, func(l *LocationConfig) bool { return l.StripPrefix }},
	{"upstreams", []string{KindProxy}, func(l *LocationConfig) bool { return l.Upstreams != nil }},
	{"health_check", []string{KindProxy}, func(l *LocationConfig) bool { return l.HealthCheck != "" }},
	{"timeouts", []string{KindProxy, KindFastCGI}, func(l *LocationConfig) bool { return l.Timeouts != nil }},
	{"addr", []string{KindFastCGI}, func(l *LocationConfig) bool { return l.Addr != "" }},
	{"split_ext", []string{KindFastCGI}, func(l *LocationConfig) bool { return l.SplitExt != "" }},
	{"env", []string{KindFastCGI}, func(l *LocationConfig) bool { return l.Env != nil }},
	{"to", []string{KindRedirect}, func(l *LocationConfig) bool { return l.To != "" }},
	{"code", []string{KindRedirect}, func(l *LocationConfig) bool { return l.Code != 0 }},
}

func checkLocation(pos *positions, path string, l *LocationConfig) {
	if l.Path == "" || l.Path[0] != '/' {
		pos.errorf(path+".path", "%q: want a path starting with '/'", l.Path)
	}
	switch l.Kind {
	case KindStatic, KindProxy, KindFastCGI, KindMetrics, KindRedirect:
	default:
		pos.errorf(path+".kind", "unknown kind %q: want \"static\", \"proxy\", \"fastcgi\", \"metrics\" or \"redirect\"", l.Kind)
		return
	}
	for _, f := range kindFields {
		if f.set(l) && !contains(f.kinds, l.Kind) {
			pos.errorf(path+"."+f.name, "does not apply to kind %q (only to %s)", l.Kind, strings.Join(f.kinds, ", "))
		}
	}
	switch l.Kind {
	case KindStatic:
		if l.Root == "" {
			pos.errorf(path+".root", "missing (required for kind %q)", l.Kind)
		}
	case KindProxy:
		if len(l.Upstreams) == 0 {
			pos.errorf(path+".upstreams", "want a list of URLs (at least one)")
		}
		if l.HealthCheck != "" && l.HealthCheck[0] != '/' {
			pos.errorf(path+".health_check", "%q: want a path starting with '/'", l.HealthCheck)
		}
		for i, u := range l.Upstreams {
			if msg := checkUpstream(u); msg != "" {
				pos.errorf(fmt.Sprintf("%s.upstreams[%d]", path, i), "%q: %s", u, msg)
			}
		}
	case KindFastCGI:
		if l.Root == "" {
			pos.errorf(path+".root", "missing (required for kind %q)", l.Kind)
		}
		if msg := checkFastCGIAddr(l.Addr); msg != "" {
			pos.errorf(path+".addr", "%q: %s", l.Addr, msg)
		}
		if l.SplitExt != "" && (l.SplitExt[0] != '.' || strings.Contains(l.SplitExt, "/")) {
			pos.errorf(path+".split_ext", "%q: want an extension such as \".php\"", l.SplitExt)
		}
	case KindRedirect:
		if l.To == "" {
			pos.errorf(path+".to", "missing (required for kind %q)", l.Kind)
		}
		checkRedirectCode(pos, path+".code", l.Code)
	}
	if a := l.Auth; a != nil {
		if len(a.Users) == 0 {
			pos.errorf(path+".auth.users", "want at least one user")
		}
		for name, pw := range a.Users {
			up := fmt.Sprintf("%s.auth.users[%q]", path, name)
			if name == "" || strings.Contains(name, ":") {
				pos.errorf(up, "a user name is not empty and holds no ':'")
			}
			if h, ok := strings.CutPrefix(pw, "sha256:"); ok {
				if b, err := hex.DecodeString(h); err != nil || len(b) != 32 {
					pos.errorf(up, "want \"sha256:\" followed by 64 hex digits")
				}
			}
		}
		if strings.ContainsAny(a.Realm, "\x00\r\n") {
			pos.errorf(path+".auth.realm", "holds a control character")
		}
	}
	checkPrefixes(pos, path+".allow", l.Allow)
	checkPrefixes(pos, path+".deny", l.Deny)
}

// checkUpstream returns what is wrong with an upstream URL, or "".
func checkUpstream(s string) string {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return "want a URL such as \"http://127.0.0.1:8080\""
	case u.Scheme != "http" && u.Scheme != "https":
		return "scheme must be http or https"
	case u.Host == "":
		return "want a host"
	case u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		return "want a URL without path, query or user"
	}
	return ""
}

// checkFastCGIAddr returns what is wrong with a FastCGI address, or "".
func checkFastCGIAddr(s string) string {
	if p, ok := strings.CutPrefix(s, "unix:"); ok {
		if p == "" {
			return "want a socket path after \"unix:\""
		}
		return ""
	}
	if _, port, err := net.SplitHostPort(s); err != nil || !isPort(port) || port == "0" {
		return "want \"host:port\" or \"unix:/path\""
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
