// Package fastcgi serves volt requests through a FastCGI application such
// as php-fpm (FastCGI 1.0, responder role; CGI/1.1 of RFC 3875).
//
//	type Config struct {
//		Addr         string            // "host:port" or "unix:/path"
//		Root         string            // document root; SCRIPT_FILENAME = Root + script path
//		Index        string            // if empty, "index.php"
//		SplitExt     string            // if empty, ".php": splits SCRIPT_NAME and PATH_INFO
//		Env          map[string]string // extra parameters
//		Logger       *slog.Logger      // STDERR lines and errors
//		DialTimeout, WriteTimeout, ReadTimeout time.Duration
//		MaxConns, MaxIdleConns, MaxStderr      int
//	}
//	func New(cfg Config) (*Client, error)
//	func (c *Client) Handler(ctx *volt.RequestCtx)
//	func (c *Client) Close() error
//
// A request becomes BEGIN_REQUEST (with FCGI_KEEP_CONN unless
// MaxIdleConns is negative), the CGI meta-variables as PARAMS
// (GATEWAY_INTERFACE, SERVER_SOFTWARE, SERVER_NAME, SERVER_PORT,
// SERVER_PROTOCOL, REQUEST_METHOD, REQUEST_URI, REQUEST_SCHEME,
// QUERY_STRING, SCRIPT_NAME, SCRIPT_FILENAME, PATH_INFO, PATH_TRANSLATED,
// DOCUMENT_ROOT, REMOTE_ADDR, REMOTE_PORT, CONTENT_TYPE, CONTENT_LENGTH,
// HTTPS, HTTP_* for the header fields, then Config.Env) and the body as
// STDIN records. The application's STDOUT is read as a CGI response:
// Status sets the status code, Location without Status answers 302 (a
// local path as well as an absolute URI: the server does not fetch local
// redirects itself), other fields are copied after validation (a bad name
// or value is 502), and the body is streamed to the client. STDERR goes
// to the logger, one record per line, at most MaxStderr bytes per
// request.
//
// Scripts are looked up under Root through os.Root, so neither "..",
// nor a symbolic link, nor a SplitExt on a segment that is not a regular
// file (/uploads/evil.jpg/x.php) can run a file outside Root or a file
// that is not a script. See Client.Handler for the status codes.
//
// If the client goes away while the application works (RequestCtx's
// context cancelled with volt.ErrClientGone), the wait ends at once and
// the connection to the application is closed, which php-fpm takes as an
// abort; server shutdown does not abort requests in progress.
//
// Connections are pooled: at most MaxConns open, MaxIdleConns kept
// between requests, over TCP or a Unix socket. One request runs on a
// connection at a time (no multiplexing).
//
// Records written are checked against the protocol's limits (content at
// most 65535 bytes, names and values at most 2^31-1 bytes, the PARAMS
// stream at most MaxParamsSize); records read are taken as their bytes
// arrive, never buffered by their announced length, and the CGI header is
// at most MaxHeaderSize bytes.
package fastcgi
