package volt

import (
	"sync/atomic"
	"time"
)

// serverDate caches the IMF-fixdate of the current second for the Date
// header (RFC 9110 section 6.6.1), so that it is formatted once a second,
// not once a response.
type dateCache struct {
	sec  int64
	text []byte
}

var currentDate atomic.Pointer[dateCache]

// appendDate appends the Date value for now to dst.
func appendDate(dst []byte, now time.Time) []byte {
	sec := now.Unix()
	d := currentDate.Load()
	if d == nil || d.sec != sec {
		d = &dateCache{sec: sec, text: now.UTC().AppendFormat(nil, TimeFormat)}
		currentDate.Store(d)
	}
	return append(dst, d.text...)
}

// TimeFormat is the HTTP date format (IMF-fixdate, RFC 9110 section 5.6.7).
const TimeFormat = "Mon, 02 Jan 2006 15:04:05 GMT"
