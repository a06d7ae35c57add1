package proxy

import (
	"io"
	"time"

	"github.com/volthttp/volt"
)

// probeBodyLimit is the most of a probe's response body read (to let its
// connection go back to the pool); a longer body closes the connection.
const probeBodyLimit = 64 << 10

// startHealthChecks starts one goroutine per upstream that probes it
// every HealthCheck.Interval until Close.
func (p *Proxy) startHealthChecks() {
	interval := orDuration(p.cfg.HealthCheck.Interval, DefaultHealthCheckInterval)
	for _, u := range p.ups {
		p.wg.Add(1)
		go p.probeLoop(u, interval)
	}
}

func (p *Proxy) probeLoop(u *upstream, interval time.Duration) {
	defer p.wg.Done()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		p.probe(u)
		select {
		case <-p.stop:
			return
		case <-t.C:
		}
	}
}

// probe sends "GET HealthCheck.Path" to u and takes u out of the rotation
// when it fails, or puts it back when it succeeds (a 2xx or 3xx answer
// within HealthCheck.Timeout).
func (p *Proxy) probe(u *upstream) {
	req, resp := volt.AcquireRequest(), volt.AcquireResponse()
	defer volt.ReleaseRequest(req)
	defer volt.ReleaseResponse(resp)
	req.SetRequestURI(u.url + p.cfg.HealthCheck.Path)
	err := u.hc.DoTimeout(req, resp, orDuration(p.cfg.HealthCheck.Timeout, DefaultHealthCheckTimeout))
	if err == nil && resp.IsBodyStream() {
		_, err = io.Copy(io.Discard, io.LimitReader(resp.BodyStream(), probeBodyLimit))
	}
	code := resp.StatusCode()
	ok := err == nil && code >= 200 && code < 400
	if was := u.healthy.Swap(ok); was != ok {
		if ok {
			p.log.Info("proxy: upstream back in rotation", "upstream", u.url)
		} else {
			p.log.Warn("proxy: upstream out of rotation", "upstream", u.url, "status", code, "error", err)
		}
	}
}
