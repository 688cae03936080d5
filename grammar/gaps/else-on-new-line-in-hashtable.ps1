# An `if` as a hashtable value with `else` on the next line.
$row = @{
    Size = if ($bytes) { $bytes }
    else { "Unknown" }
}
