; One fold per function body.
(function) @fold
