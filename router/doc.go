// Package router routes volt requests by method, path and host.
package router
