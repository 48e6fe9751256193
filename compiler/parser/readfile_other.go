//go:build !unix

package parser

import "os"

func readWhole(name string) ([]byte, error) { return os.ReadFile(name) }
