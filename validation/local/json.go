package local

import (
	"encoding/json"
	"errors"
)

var errNotObject = errors.New("not a JSON object")

// jsonUnmarshal decodes a JSON object into v, refusing anything else (json.Unmarshal would
// accept null and leave v zero).
func jsonUnmarshal(b []byte, v any) error {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\n' || b[0] == '\r') {
		b = b[1:]
	}
	if len(b) == 0 || b[0] != '{' {
		return errNotObject
	}
	return json.Unmarshal(b, v)
}
