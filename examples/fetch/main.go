// Command fetch is a small curl built on volt.Client: it writes the
// response body to stdout and the status line and header fields to
// stderr, and follows redirects.
//
//	go run ./examples/fetch [-X METHOD] [-d BODY] [-H 'Name: value']... [-timeout 5s]
//	    [-compressed] [-proxy URL] [-insecure] [-max-size BYTES]
//	    [--http2 | --http2-prior-knowledge | --http1.1] [-v] URL
//
// As curl does, https speaks HTTP/2 when the server chooses it by ALPN
// (--http2, the default) and HTTP/1.1 otherwise; --http1.1 offers HTTP/1.1
// only, and --http2-prior-knowledge speaks HTTP/2 over cleartext http from
// the first byte. (On http:// URLs --http2 keeps HTTP/1.1: fetch does not
// offer the h2c Upgrade.) The status line names the protocol that carried
// the response ("HTTP/2 200"); -v also prints the connection's steps.
//
// "-H @FILE" reads header fields from FILE, one "Name: value" a line: a
// secret (Authorization: Bearer ...) given on the command line is visible
// to every local user.
//
// On failure it prints one line naming the cause (timeout, malformed
// response, body too large, connection refused, certificate, ...) and
// exits with status 1; a usage error exits with 2. An HTTP error status
// (404, 500) is a response like any other: exit status 0.
package main

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/url"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/volthttp/volt"
	_ "github.com/volthttp/volt/http2" // HTTP/2 for volt.Client
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// headerFlags collects repeated -H values.
type headerFlags []string

func (h *headerFlags) String() string     { return strings.Join(*h, ", ") }
func (h *headerFlags) Set(v string) error { *h = append(*h, v); return nil }

// options are the command line of one fetch.
type options struct {
	method     string
	data       string
	headers    headerFlags
	timeout    time.Duration
	compressed bool
	proxy      string
	insecure   bool
	maxSize    int64
	http2      bool
	prior      bool
	http11     bool
	verbose    bool
	url        string
}

// maxRedirects is how many redirects fetch follows, as Client.Get does.
const maxRedirects = volt.DefaultMaxRedirects

// run is the whole program, with its arguments and outputs passed in so
// that tests can call it. It returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var o options
	fs := flag.NewFlagSet("fetch", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.method, "X", "", "request method (default GET, or POST with -d)")
	fs.StringVar(&o.data, "d", "", "request body")
	fs.Var(&o.headers, "H", "request header field 'Name: value', or @FILE of such lines, for secrets (repeatable)")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Second, "limit on the whole fetch, redirects included")
	fs.BoolVar(&o.compressed, "compressed", false, "ask for a gzip or deflate body and decompress it")
	fs.StringVar(&o.proxy, "proxy", "", "proxy URL (http://, https://, socks5://); default: HTTP_PROXY, HTTPS_PROXY and NO_PROXY")
	fs.BoolVar(&o.insecure, "insecure", false, "do not verify the server's certificate")
	fs.Int64Var(&o.maxSize, "max-size", 64<<20, "largest body accepted, in bytes")
	fs.BoolVar(&o.http2, "http2", false, "speak HTTP/2 over https when the server chooses it by ALPN (the default)")
	fs.BoolVar(&o.prior, "http2-prior-knowledge", false, "speak HTTP/2 over cleartext http from the first byte")
	fs.BoolVar(&o.http11, "http1.1", false, "speak HTTP/1.1 only")
	fs.BoolVar(&o.verbose, "v", false, "print the connection's steps to stderr")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: fetch [flags] URL")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	if o.http11 && (o.http2 || o.prior) {
		fmt.Fprintln(stderr, "fetch: --http1.1 excludes --http2 and --http2-prior-knowledge")
		return 2
	}
	o.url = fs.Arg(0)
	if !strings.Contains(o.url, "://") {
		o.url = "http://" + o.url
	}
	if err := fetch(ctx, &o, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "fetch: "+describe(err, &o))
		return 1
	}
	return 0
}

func fetch(ctx context.Context, o *options, stdout, stderr io.Writer) error {
	cfg := volt.ConnConfig{
		Name:                "volt-fetch",
		TLSConfig:           &tls.Config{InsecureSkipVerify: o.insecure},
		Proxy:               volt.ProxyFromEnvironment,
		MaxResponseBodySize: o.maxSize,
		// DoRedirects takes no deadline: bound each step too, so that a
		// request abandoned by the timeout below ends by itself.
		DialTimeout:  o.timeout,
		ReadTimeout:  o.timeout,
		WriteTimeout: o.timeout,

		DisableHTTP2:        o.http11,
		HTTP2PriorKnowledge: o.prior,
	}
	if o.verbose {
		cfg.Trace = verboseTrace(stderr)
	}
	if o.proxy != "" {
		u, err := url.Parse(o.proxy)
		if err != nil || u.Host == "" {
			return usageError("bad -proxy URL " + o.proxy)
		}
		cfg.Proxy = volt.ProxyURL(u)
	}
	c := &volt.Client{ConnConfig: cfg}
	defer c.CloseIdleConnections()

	req, resp := volt.AcquireRequest(), volt.AcquireResponse()
	req.SetRequestURI(o.url)
	switch {
	case o.method != "":
		req.Header.SetMethod(strings.ToUpper(o.method))
	case o.data != "":
		req.Header.SetMethod("POST")
	}
	if o.data != "" {
		req.SetBodyString(o.data)
		req.Header.SetContentType("application/x-www-form-urlencoded")
	}
	headers, err := expandHeaders(o.headers)
	if err != nil {
		return err
	}
	for _, h := range headers {
		name, value, ok := strings.Cut(h, ":")
		if !ok || strings.TrimSpace(name) == "" {
			return usageError("bad -H " + h + ": want 'Name: value'")
		}
		req.Header.Set(strings.TrimSpace(name), strings.TrimSpace(value))
	}
	if o.compressed {
		req.Header.Set("Accept-Encoding", "gzip, deflate")
	}

	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- c.DoRedirects(req, resp, maxRedirects) }()
	select {
	case err := <-done:
		if err != nil {
			return err
		}
	case <-ctx.Done():
		// The request goes on until its step timeouts end it; req and
		// resp are left to it.
		return volt.ErrTimeout
	}
	defer volt.ReleaseRequest(req)
	defer volt.ReleaseResponse(resp)

	writeHead(stderr, resp)
	body := resp.Body()
	if o.compressed {
		if body, err = decompress(body, resp.Header.Peek("Content-Encoding"), o.maxSize); err != nil {
			return err
		}
	}
	_, err = stdout.Write(body)
	return err
}

// expandHeaders returns the -H values with each "@FILE" replaced by the
// non-blank lines of FILE.
func expandHeaders(hs []string) ([]string, error) {
	var out []string
	for _, h := range hs {
		file, ok := strings.CutPrefix(h, "@")
		if !ok {
			out = append(out, h)
			continue
		}
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, usageError("-H @" + file + ": " + err.Error())
		}
		for _, line := range strings.Split(string(b), "\n") {
			if line = strings.TrimSpace(line); line != "" {
				out = append(out, line)
			}
		}
	}
	return out, nil
}

// writeHead writes the status line and header fields, as received except
// for their order: volt keeps Content-Type and Content-Length apart.
func writeHead(w io.Writer, resp *volt.Response) {
	var b bytes.Buffer
	code := resp.StatusCode()
	if resp.Header.IsHTTP2() {
		fmt.Fprintf(&b, "HTTP/2 %d\n", code) // HTTP/2 has no reason phrase
	} else {
		fmt.Fprintf(&b, "HTTP/1.1 %d %s\n", code, volt.StatusMessage(code))
	}
	if ct := resp.Header.ContentType(); len(ct) > 0 {
		fmt.Fprintf(&b, "Content-Type: %s\n", ct)
	}
	if n := resp.Header.ContentLength(); n >= 0 {
		fmt.Fprintf(&b, "Content-Length: %d\n", n)
	}
	for k, v := range resp.Header.All() {
		fmt.Fprintf(&b, "%s: %s\n", k, v)
	}
	b.WriteByte('\n')
	_, _ = w.Write(b.Bytes())
}

// verboseTrace prints the steps of each request ("* ..." lines, as curl
// -v does).
func verboseTrace(w io.Writer) *volt.ClientTrace {
	return &volt.ClientTrace{
		ConnectDone: func(network, addr string, err error) {
			if err == nil {
				fmt.Fprintf(w, "* Connected to %s (%s)\n", addr, network)
			}
		},
		TLSHandshakeDone: func(st tls.ConnectionState, err error) {
			if err == nil {
				alpn := st.NegotiatedProtocol
				if alpn == "" {
					alpn = "none"
				}
				fmt.Fprintf(w, "* TLS %s, ALPN: %s\n", tls.VersionName(st.Version), alpn)
			}
		},
		GotConn: func(info volt.GotConnInfo) {
			if info.Reused {
				fmt.Fprintf(w, "* Reusing the connection to %s\n", info.Conn.RemoteAddr())
			}
		},
	}
}

// errBodyTooLarge is a decompressed body over -max-size.
var errBodyTooLarge = errors.New("decompressed body too large")

// decompress undoes a gzip or deflate Content-Encoding, reading at most
// limit bytes of output (a defence against decompression bombs); a
// negative limit, or MaxInt64, means none.
func decompress(body, encoding []byte, limit int64) ([]byte, error) {
	var r io.Reader
	var err error
	switch strings.ToLower(strings.TrimSpace(string(encoding))) {
	case "", "identity":
		return body, nil
	case "gzip", "x-gzip":
		r, err = gzip.NewReader(bytes.NewReader(body))
	case "deflate":
		r, err = zlib.NewReader(bytes.NewReader(body))
	default:
		return nil, fmt.Errorf("unsupported Content-Encoding %q", encoding)
	}
	if err != nil {
		return nil, &malformedError{err}
	}
	if limit >= 0 && limit < math.MaxInt64 {
		r = io.LimitReader(r, limit+1) // one byte past: enough to see it is over
	}
	out, err := io.ReadAll(r)
	if err != nil {
		return nil, &malformedError{err}
	}
	if limit >= 0 && int64(len(out)) > limit {
		return nil, errBodyTooLarge
	}
	return out, nil
}

// malformedError is a compressed body that does not decompress.
type malformedError struct{ err error }

func (e *malformedError) Error() string { return "bad compressed body: " + e.err.Error() }

// usageError is a bad flag value.
type usageError string

func (e usageError) Error() string { return string(e) }

// describe turns err into one line that names its cause first.
func describe(err error, o *options) string {
	var (
		de  *volt.DialError
		te  *volt.TLSError
		pe  *volt.ProxyError
		pse *volt.ParseError
		me  *malformedError
		ue  usageError
		dns *net.DNSError
	)
	switch {
	case errors.As(err, &ue):
		return string(ue)
	case errors.As(err, &pe):
		return "proxy: " + err.Error()
	case isTimeout(err):
		return fmt.Sprintf("timeout (after %v): %v", o.timeout, err)
	case errors.Is(err, volt.ErrBodyTooLarge), errors.Is(err, errBodyTooLarge):
		return fmt.Sprintf("body too large (over -max-size %d bytes): %v", o.maxSize, err)
	case errors.As(err, &te) && isCertificateError(te.Err):
		return "certificate: " + err.Error() + " (-insecure skips the check)"
	case errors.As(err, &te):
		return "TLS handshake failed: " + err.Error()
	case errors.As(err, &dns):
		return "unknown host: " + err.Error()
	case errors.As(err, &de) && errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused: " + err.Error()
	case errors.As(err, &de):
		return "cannot connect: " + err.Error()
	case errors.As(err, &pse), errors.As(err, &me),
		errors.Is(err, volt.ErrHeaderTooLarge), errors.Is(err, volt.ErrTooManyHeaders),
		errors.Is(err, volt.ErrBadChunk), errors.Is(err, volt.ErrAmbiguousLength),
		errors.Is(err, volt.ErrBadContentLength), errors.Is(err, volt.ErrBadTransferEncoding),
		errors.Is(err, volt.ErrUnsupportedVersion), errors.Is(err, volt.ErrUnexpectedEOF):
		return "malformed response: " + err.Error()
	case errors.Is(err, volt.ErrConnectionClosed):
		return "no response: " + err.Error()
	case errors.Is(err, volt.ErrTooManyRedirects):
		return fmt.Sprintf("too many redirects (more than %d)", maxRedirects)
	}
	return err.Error()
}

func isTimeout(err error) bool {
	var ne interface{ Timeout() bool }
	return errors.As(err, &ne) && ne.Timeout()
}

func isCertificateError(err error) bool {
	var (
		cve *tls.CertificateVerificationError
		ua  x509.UnknownAuthorityError
		he  x509.HostnameError
		ci  x509.CertificateInvalidError
	)
	return errors.As(err, &cve) || errors.As(err, &ua) || errors.As(err, &he) || errors.As(err, &ci)
}
