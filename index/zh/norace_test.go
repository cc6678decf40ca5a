//go:build !race

package zh

const raceEnabled = false
