// Package middleware holds the standard middleware of volt servers, each a
// func(volt.RequestHandler) volt.RequestHandler built from a config struct
// whose zero value works:
//
//	h := middleware.Chain(r.Handler,
//		middleware.Recover(middleware.RecoverConfig{}),
//		middleware.RequestID(middleware.RequestIDConfig{}),
//		middleware.AccessLog(middleware.AccessLogConfig{Format: middleware.LogCombined}),
//		metrics.Wrap, // metrics := &middleware.Metrics{}
//		middleware.CORS(middleware.CORSPolicy{Origins: []string{"https://app.example.com"}}),
//		middleware.RateLimit(middleware.RateLimitConfig{Rate: 20, Burst: 40}),
//		middleware.Timeout(middleware.TimeoutConfig{Timeout: 5 * time.Second}),
//	)
//	srv := &volt.Server{Handler: h}
//
// The first middleware of a Chain is the outermost. Middleware can also
// wrap a router's routes or groups (router.Router.Use, Router.Group):
//
//	admin := r.Group("/admin", middleware.BasicAuth(middleware.BasicAuthConfig{
//		Users: map[string]string{"alice": os.Getenv("ADMIN_PASSWORD")},
//	}))
//	r.POST("/upload", middleware.BodyLimit(10<<20)(upload))
//
// What each answers when it stops a request:
//
//   - Recover: 500 after a panic, logged with its stack;
//   - RequestID, AccessLog, Metrics: never (X-Request-ID passed through or
//     generated; Common, Combined or slog records; expvar and a callback);
//   - CORS: 204 or 403 to preflight requests;
//   - BasicAuth, BearerAuth: 401 with a WWW-Authenticate challenge;
//   - IPFilter: 403, also when the client is unknown (see below);
//   - Timeout: 503, when the handler returns after its deadline;
//   - RateLimit: 429 with Retry-After; 400 when the client is unknown;
//   - BodyLimit: 413.
//
// # Client addresses behind proxies
//
// IPFilter, RateLimit and AccessLog take the client's address from the
// connection, or, with Proxies.Trusted set, from the X-Forwarded-For (or
// Forwarded) header that the trusted proxies append to. Headers from
// peers that are not trusted are ignored, so clients cannot forge them:
//
//	proxies := middleware.Proxies{Trusted: middleware.MustParsePrefixes("10.0.0.0/8")}
//
// A forwarding header from a trusted proxy that cannot be walked (more
// than MaxForwardedFields fields, an entry that is not an address) leaves
// the client unknown: Proxies.ClientIP returns an error, IPFilter denies
// the request, RateLimit refuses it with 400 and AccessLog logs "-". The
// proxy's own address never stands in for the client's.
//
// # Cost
//
// Every middleware here but LogStructured and Recover's panic path
// allocates nothing per request in steady state (RateLimit: for a client
// it has seen; Metrics: for a route it has seen).
package middleware
