package park

import "errors"

var (
	errUnsupported = errors.New("park: parking is not supported here")
	errParked      = errors.New("park: spot is parked already")
	errClosed      = errors.New("park: spot is closed")
)
