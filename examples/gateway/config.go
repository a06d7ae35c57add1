package main

import "time"

// Config is the gateway's configuration file, a JSON object;
// gateway.example.json shows every field. Unknown fields are errors, so
// that a typo does not silently turn a setting off. The struct tags
// drive the decoder (decode.go): json names the field, required marks
// the fields that must be present, want describes the expected value in
// error messages.
type Config struct {
	// Listeners are the addresses served. At least one is required. They
	// are opened at start and kept across reloads: a reload that changes
	// them is refused.
	Listeners []ListenerConfig `json:"listeners" required:"true"`

	// TrustedProxies are the addresses or CIDR prefixes of proxies in
	// front of the gateway whose X-Forwarded-For the IP rules and access
	// logs believe. If empty, the client is the connection's peer.
	TrustedProxies []string `json:"trusted_proxies" want:"a list of addresses or CIDR prefixes"`

	// AccessLog is the access log of every site without one of its own.
	// If nil, those requests are not logged.
	AccessLog *AccessLogConfig `json:"access_log"`

	// Timeouts bound the waits of every connection. They are read at
	// start only: a reload keeps the running ones.
	Timeouts TimeoutsConfig `json:"timeouts"`

	// HTTP2 serves HTTP/2 on the TLS listeners to the clients that ask
	// for it by ALPN ("h2"); the others get HTTP/1.1. It is read at start
	// only. If false, HTTP/1.1 only.
	HTTP2 bool `json:"http2"`

	// Sites are the virtual hosts. At least one is required.
	Sites []SiteConfig `json:"sites" required:"true"`
}

// ListenerConfig is one address the gateway listens on.
type ListenerConfig struct {
	// Addr is "host:port". Required.
	Addr string `json:"addr" required:"true" want:"a \"host:port\" string"`

	// TLS serves HTTPS on the address. If nil, plain HTTP.
	TLS *TLSConfig `json:"tls"`
}

// TLSConfig holds the certificates of a TLS listener.
type TLSConfig struct {
	// Certificates are chosen by the server name the client asks for
	// (SNI, tlsutil.CertSet): each serves the DNS names of its leaf,
	// wildcards included; the first is the default. At least one is
	// required. They are read again on reload.
	Certificates []CertConfig `json:"certificates" required:"true"`
}

// CertConfig is one certificate chain and its key, in PEM files.
type CertConfig struct {
	Cert string `json:"cert" required:"true" want:"a file name"`
	Key  string `json:"key" required:"true" want:"a file name"`
}

// TimeoutsConfig bounds the waits of a connection (see volt.Server). A
// zero value keeps volt's default.
type TimeoutsConfig struct {
	Header Duration `json:"header"`
	Read   Duration `json:"read"`
	Write  Duration `json:"write"`
	Idle   Duration `json:"idle"`
	// Shutdown is how long SIGINT and SIGTERM wait for requests to
	// finish. If zero, 10 s.
	Shutdown Duration `json:"shutdown"`
}

// AccessLogConfig is where and how requests are logged.
type AccessLogConfig struct {
	// Path is a file (appended to, and opened again on reload, for log
	// rotation), "stdout" or "stderr". Required.
	Path string `json:"path" required:"true" want:"a file name, \"stdout\" or \"stderr\""`

	// Format is "common" or "combined". If empty, "combined".
	Format string `json:"format" want:"\"common\" or \"combined\""`
}

// SiteConfig is one virtual host.
type SiteConfig struct {
	// Hosts are the host names the site serves: "example.com" (any
	// port), "example.com:8080", "*.example.com" (any subdomain). A host
	// belongs to one site only.
	Hosts []string `json:"hosts" want:"a list of host names"`

	// Default makes the site serve the requests whose host matches no
	// site. At most one site is the default; a site without hosts must
	// be it. If no site is, such requests get 404.
	Default bool `json:"default"`

	// Root is the directory of static files served where no location
	// matches. If empty, such requests get 404.
	Root string `json:"root" want:"a directory name"`

	// Index are the files served for a directory of Root. If nil,
	// "index.html".
	Index []string `json:"index" want:"a list of file names"`

	// Compress serves Root's files gzip, brotli or zstd compressed to
	// clients that accept it. If nil, true.
	Compress *bool `json:"compress"`

	// Listing answers a directory of Root without index file with a list
	// of its entries. If false, with 403.
	Listing bool `json:"listing"`

	// Rewrites are applied in order to every request of the site before
	// its location is chosen (router.Rewriter).
	Rewrites []RewriteConfig `json:"rewrites"`

	// Locations handle path prefixes of the site; the longest matching
	// prefix wins.
	Locations []LocationConfig `json:"locations"`

	// AccessLog overrides the top-level access log for this site.
	AccessLog *AccessLogConfig `json:"access_log"`
}

// RewriteConfig is one rewrite rule (router.Rule): exactly one of Prefix
// and Regexp.
type RewriteConfig struct {
	// Prefix matches the paths that are Prefix or start with Prefix
	// followed by '/'.
	Prefix string `json:"prefix" want:"a path starting with '/'"`
	// Regexp matches the paths it finds a match in (RE2 syntax).
	Regexp string `json:"regexp" want:"a regular expression"`
	// To replaces the prefix, or the whole path for a Regexp ($1, ${name}
	// stand for submatches). A '?' starts a new query string. Required.
	To string `json:"to" required:"true"`
	// Redirect is 301, 302, 303, 307 or 308 to redirect the client to the
	// rewritten URL. If zero, the path is rewritten internally.
	Redirect int `json:"redirect" want:"301, 302, 303, 307 or 308"`
	// Last stops the rewriting after this rule.
	Last bool `json:"last"`
}

// The kinds of location.
const (
	KindStatic   = "static"
	KindProxy    = "proxy"
	KindFastCGI  = "fastcgi"
	KindMetrics  = "metrics"
	KindRedirect = "redirect"
)

// LocationConfig handles the requests whose path starts with Path. Kind
// says how; the other fields apply to the kinds their comments name.
type LocationConfig struct {
	// Path is the prefix: "/api" matches "/api" and "/api/x", not
	// "/apix"; "/api/" matches "/api/" and below; "/" matches every
	// path. Required.
	Path string `json:"path" required:"true" want:"a path starting with '/'"`

	// Kind is "static", "proxy", "fastcgi", "metrics" or "redirect".
	// Required.
	Kind string `json:"kind" required:"true" want:"\"static\", \"proxy\", \"fastcgi\", \"metrics\" or \"redirect\""`

	// Root is the directory of a static location, and the document root
	// of a fastcgi one (as the FastCGI application sees it; its files
	// that are not scripts are served as static files). Required for
	// both.
	Root string `json:"root" want:"a directory name"`
	// Index are the files served for a directory (static: if nil,
	// "index.html"; fastcgi: the first is the script run for a
	// directory, if nil "index.php").
	Index []string `json:"index" want:"a list of file names"`
	// Compress (static): see SiteConfig.Compress. If nil, true.
	Compress *bool `json:"compress"`
	// Listing (static): see SiteConfig.Listing.
	Listing bool `json:"listing"`
	// StripPrefix (static, proxy) removes Path from the request path:
	// "/static/a.css" is served from Root/a.css, or forwarded as
	// "/a.css".
	StripPrefix bool `json:"strip_prefix"`

	// Upstreams (proxy) are "http://host:port" or "https://host:port"
	// URLs, without path; requests are balanced between them. At least
	// one is required.
	Upstreams []string `json:"upstreams" want:"a list of URLs"`

	// HealthCheck (proxy) is the path each upstream is probed on (GET,
	// every 10 s) when there are several: one that fails is left out
	// until it answers again. If empty, upstreams are not probed.
	HealthCheck string `json:"health_check" want:"a path starting with '/'"`

	// Timeouts (proxy, fastcgi) bound the exchanges with the upstream.
	// If nil, the packages' defaults are used.
	Timeouts *UpstreamTimeouts `json:"timeouts"`

	// Addr (fastcgi) is the application's "host:port" or "unix:/path".
	// Required.
	Addr string `json:"addr" want:"\"host:port\" or \"unix:/path\""`
	// SplitExt (fastcgi) is the script extension: the path is split
	// after it into SCRIPT_NAME and PATH_INFO. If empty, ".php".
	SplitExt string `json:"split_ext" want:"an extension such as \".php\""`
	// Env (fastcgi) adds CGI parameters.
	Env map[string]string `json:"env" want:"an object of strings"`

	// To (redirect) is the URL redirected to; the rest of the path after
	// Path and the query string are appended. Required.
	To string `json:"to" want:"a URL or a path"`
	// Code (redirect) is 301, 302, 303, 307 or 308. If zero, 302.
	Code int `json:"code" want:"301, 302, 303, 307 or 308"`

	// Auth asks for Basic credentials. If nil, none are asked for.
	Auth *AuthConfig `json:"auth"`

	// Allow, if not empty, lists the only client addresses (or CIDR
	// prefixes) let in; Deny lists those turned away with 403, even when
	// Allow holds them.
	Allow []string `json:"allow" want:"a list of addresses or CIDR prefixes"`
	Deny  []string `json:"deny" want:"a list of addresses or CIDR prefixes"`
}

// UpstreamTimeouts bound the exchanges of a proxy or fastcgi location
// with its upstream. A zero value keeps the package's default.
type UpstreamTimeouts struct {
	// Connect bounds opening a connection (and the wait for a free one).
	// If zero, 3 s for a proxy, 5 s for FastCGI.
	Connect Duration `json:"connect"`
	// Response bounds the wait for the response's head (a proxy answers
	// 504 past it) and, for FastCGI, each later read. If zero, 30 s for a
	// proxy, 60 s for FastCGI.
	Response Duration `json:"response"`
}

// AuthConfig asks for Basic credentials (RFC 7617, middleware.BasicAuth).
type AuthConfig struct {
	// Realm is shown by browsers. If empty, "Restricted".
	Realm string `json:"realm"`
	// Users maps names to passwords: a password as it is, or "sha256:"
	// followed by the hex SHA-256 digest of the password, so that the
	// file does not hold it. At least one is required.
	Users map[string]string `json:"users" required:"true" want:"an object of user names to passwords"`
}

// Duration is a time.Duration written as a string: "1.5s", "300ms".
type Duration time.Duration

// MarshalJSON writes d as the string its decoder reads: "1.5s".
func (d Duration) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Duration(d).String() + `"`), nil
}
