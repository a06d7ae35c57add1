module github.com/volthttp/volt

go 1.24.0

require (
	github.com/andybalholm/brotli v1.2.8
	github.com/klauspost/compress v1.19.2
	golang.org/x/net v0.50.0
)

require golang.org/x/text v0.34.0 // indirect
