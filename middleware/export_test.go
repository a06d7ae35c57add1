package middleware

import "time"

// SetNow makes cfg's limiter read the time from now.
func (cfg *RateLimitConfig) SetNow(now func() time.Time) { cfg.now = now }
