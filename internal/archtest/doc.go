// Package archtest holds no code: its test checks that the project's
// packages depend on each other in one direction only (see
// TestDependencyDirection).
package archtest
