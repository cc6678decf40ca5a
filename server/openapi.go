package server

import _ "embed"

// openAPI is the OpenAPI 3.1 description of the API, served at
// /api/openapi.json; a test keeps it true to the routes.
//
//go:embed openapi.json
var openAPI []byte
