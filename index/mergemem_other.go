//go:build !linux

package index

import segment "github.com/blevesearch/scorch_segment_api/v2"

// trimWhileMerging does nothing here: dropping mapped pages is done on
// Linux only (mergemem_linux.go).
func trimWhileMerging([]segment.Segment) (stop func()) { return func() {} }
