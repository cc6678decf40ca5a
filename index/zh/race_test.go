//go:build race

package zh

// raceEnabled scales the exhaustive comparisons down under the race
// detector, which slows them about tenfold.
const raceEnabled = true
