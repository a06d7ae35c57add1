package fastcgi

import (
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/volthttp/volt"
)

// Defaults for the zero values of Config.
const (
	DefaultIndex        = "index.php"
	DefaultSplitExt     = ".php"
	DefaultDialTimeout  = 5 * time.Second
	DefaultWriteTimeout = 60 * time.Second
	DefaultReadTimeout  = 60 * time.Second
	DefaultMaxConns     = 64
	DefaultMaxStderr    = 4096
)

// Config configures a Client. Its zero values are replaced by the
// documented defaults; Addr and Root are required.
type Config struct {
	// Addr is the application's address: "host:port" for TCP or
	// "unix:/path" for a Unix socket.
	Addr string

	// Root is the document root. SCRIPT_FILENAME is Root followed by the
	// script's path, and no script outside Root is ever named (see
	// Client.Handler). It is made absolute by New.
	Root string

	// Index is the script run for a path that names a directory. If
	// empty, DefaultIndex ("index.php") is used.
	Index string

	// SplitExt is the file name suffix that marks a script: the path is
	// split after the first segment ending in it that is a regular file,
	// into SCRIPT_NAME and PATH_INFO. It is compared case-sensitively. If
	// empty, DefaultSplitExt (".php") is used.
	SplitExt string

	// Env holds extra parameters sent with every request, after the CGI
	// meta-variables (an application such as php-fpm keeps the last of
	// two parameters of the same name, so Env can override them).
	Env map[string]string

	// Logger receives the application's STDERR, one record per line
	// (level Warn), and the errors of talking to it (level Error). If
	// nil, the logger of the volt.Server serving the request is used, or
	// slog.Default() if it has none.
	Logger *slog.Logger

	// DialTimeout bounds connecting to the application and waiting for a
	// free connection when MaxConns are busy. If zero,
	// DefaultDialTimeout (5s) is used.
	DialTimeout time.Duration

	// WriteTimeout bounds each write of the request (the parameters,
	// each STDIN record) to the application. If zero,
	// DefaultWriteTimeout (60s) is used.
	WriteTimeout time.Duration

	// ReadTimeout bounds the wait for the first byte of the answer and
	// then for each following read. A request that times out before its
	// response header is answered 504. If zero, DefaultReadTimeout (60s)
	// is used.
	ReadTimeout time.Duration

	// MaxConns bounds the connections open to the application at once;
	// a request waits up to DialTimeout for one (then 503). If zero,
	// DefaultMaxConns (64) is used.
	MaxConns int

	// MaxIdleConns bounds the connections kept open between requests
	// (asked for with FCGI_KEEP_CONN). If zero, MaxConns is used. If
	// negative, no connection is kept: every request opens its own and
	// the application closes it.
	MaxIdleConns int

	// MaxStderr bounds the bytes of STDERR logged per request; the rest
	// is counted, dropped, and the count logged. If zero,
	// DefaultMaxStderr (4096) is used. If negative, nothing is logged
	// but the count.
	MaxStderr int
}

// Client serves volt requests through a FastCGI application. It is safe
// for concurrent use.
type Client struct {
	network, address string
	rootPath         string // absolute, clean, no trailing '/' (but "/")
	root             *os.Root
	index, splitExt  string
	env              []byte // Env, encoded as name-value pairs
	logger           *slog.Logger
	dialTimeout      time.Duration
	writeTimeout     time.Duration
	readTimeout      time.Duration
	maxIdle          int
	maxStderr        int
	keepConn         bool

	dialer  net.Dialer
	sem     chan struct{} // one token per open connection
	scratch sync.Pool     // *[]byte for paths

	shut atomic.Bool // set by Close

	mu     sync.Mutex
	idle   []*conn // guarded by mu, most recently used last
	closed bool    // guarded by mu
}

// New checks cfg and returns a Client. It opens Root (os.OpenRoot); it
// does not connect to the application before the first request.
func New(cfg Config) (*Client, error) {
	if cfg.Addr == "" {
		return nil, ErrNoAddr
	}
	if cfg.Root == "" {
		return nil, ErrNoRoot
	}
	c := &Client{
		network: "tcp", address: cfg.Addr,
		index: cfg.Index, splitExt: cfg.SplitExt,
		logger:       cfg.Logger,
		dialTimeout:  orDuration(cfg.DialTimeout, DefaultDialTimeout),
		writeTimeout: orDuration(cfg.WriteTimeout, DefaultWriteTimeout),
		readTimeout:  orDuration(cfg.ReadTimeout, DefaultReadTimeout),
		maxStderr:    cfg.MaxStderr,
	}
	if rest, ok := strings.CutPrefix(cfg.Addr, "unix:"); ok {
		c.network, c.address = "unix", rest
	}
	if c.index == "" {
		c.index = DefaultIndex
	}
	if strings.ContainsAny(c.index, "/\x00") || c.index == "." || c.index == ".." {
		return nil, ErrBadIndex
	}
	if c.splitExt == "" {
		c.splitExt = DefaultSplitExt
	}
	if len(c.splitExt) < 2 || c.splitExt[0] != '.' || strings.ContainsAny(c.splitExt, "/\x00") {
		return nil, ErrBadSplitExt
	}
	if c.maxStderr == 0 {
		c.maxStderr = DefaultMaxStderr
	}
	maxConns := cfg.MaxConns
	if maxConns <= 0 {
		maxConns = DefaultMaxConns
	}
	c.maxIdle = cfg.MaxIdleConns
	if c.maxIdle == 0 {
		c.maxIdle = maxConns
	}
	c.maxIdle = min(c.maxIdle, maxConns)
	c.keepConn = c.maxIdle > 0
	c.sem = make(chan struct{}, maxConns)
	c.dialer.Timeout = c.dialTimeout
	for name, value := range cfg.Env {
		if name == "" || strings.ContainsAny(name, "=\x00") || strings.IndexByte(value, 0) >= 0 {
			return nil, ErrBadEnv
		}
		var err error
		if c.env, err = appendParamString(c.env, name, value); err != nil {
			return nil, err
		}
	}
	abs, err := filepath.Abs(cfg.Root)
	if err != nil {
		return nil, err
	}
	c.rootPath = filepath.Clean(abs)
	if c.root, err = os.OpenRoot(c.rootPath); err != nil {
		return nil, err
	}
	if c.rootPath == "/" {
		c.rootPath = ""
	}
	return c, nil
}

func orDuration(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// Close closes the idle connections and the document root. Requests in
// progress finish; their connections are closed when they end. Requests
// after Close are answered 503.
func (c *Client) Close() error {
	c.shut.Store(true)
	c.mu.Lock()
	idle := c.idle
	c.idle, c.closed = nil, true
	c.mu.Unlock()
	for _, cn := range idle {
		_ = cn.nc.Close()
	}
	return c.root.Close()
}

// loggerFor returns the logger for a request.
func (c *Client) loggerFor(ctx *volt.RequestCtx) *slog.Logger {
	if c.logger != nil {
		return c.logger
	}
	if s := ctx.Server(); s != nil && s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}
