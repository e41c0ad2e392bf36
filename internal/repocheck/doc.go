// Package repocheck holds tests of the repository itself rather than of a
// package: that each package imports only what ARCHITECTURE.md allows it,
// and that no file refers to anything outside the repository. It has no
// code of its own.
package repocheck
