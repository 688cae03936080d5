# A hashtable (calculated property) first in an argument list followed by `, bareword`.
$files | Select-Object @{ Name = "KB"; Expression = { $_.Length / 1kb } }, Name
