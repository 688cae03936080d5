# Upper-case multiplier suffixes (the grammar knows only `1mb`).
$sizeGb = [math]::Round($bytes / 1GB, 2)
$limit = $count * 1MB
