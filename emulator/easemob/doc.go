// Package easemob is chatemu's Easemob (环信) REST surface: the app token
// (POST /{org}/{app}/token), the hourly chat-history archive link
// (GET /{org}/{app}/chatmessages/{time}), the archive download itself (an
// Aliyun OSS V1 query-signed link served under /_oss/), and the attachment
// downloads the archives point at (GET /{org}/{app}/chatfiles/{uuid}).
//
// Everything on the wire is copied from the vendor (docs/fidelity/easemob.md
// names the public source of each): Usergrid key order in every JSON body, Usergrid's error envelope,
// OSS's XML errors, a gzip of newline-delimited JSON records for the archive.
// Where the vendor is silent the choice is marked [guess] in a comment and
// listed in the README's fidelity notes.
//
// Handlers return values (emulator/internal/respond); routes.go turns the
// route table's Easemob rows (emulator/internal/routes) into handlers and
// holds the two adapters, the REST API's and the archive downloads'.
//
// The package depends on world, clock and sign, on faults and journal (the
// server's fault presets and request journal, both vendor-neutral), on the
// server's internal respond, routes and s3xml, and on nothing of another
// vendor. It holds no package-level mutable state:
// tokens, rate-limit windows and request counters hang off a *Surface.
package easemob
