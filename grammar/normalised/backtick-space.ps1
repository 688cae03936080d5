# A backtick followed by a space at the end of a line (PowerShell reads it as whitespace).
$params = @{ "Name" = $name; ` 
    "Location" = $location }
