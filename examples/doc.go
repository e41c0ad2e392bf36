// Package examples holds chatemu clients in other languages — Python
// (history_sync.py), Java (HistorySync.java) and Node (history-sync.mjs) —
// that talk to a running emulator over HTTP as a service written in those
// languages would. It has no Go API: its test runs each program against a
// live emulator and checks what it prints against the emulator's world.
package examples
