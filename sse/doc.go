// Package sse implements Server-Sent Events: the text/event-stream format,
// server streams on volt's RequestCtx, a broker that fans events out to
// many clients with replay, and a reconnecting client.
package sse
