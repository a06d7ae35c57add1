module github.com/volthttp/volt

go 1.24
