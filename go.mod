module github.com/volthttp/volt

go 1.24

require (
	github.com/andybalholm/brotli v1.2.8
	github.com/klauspost/compress v1.19.2
)
