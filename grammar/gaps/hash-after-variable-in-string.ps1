# A `#` right after a variable or `$(...)` inside a double-quoted string starts a comment.
$uri = "$base#section"
$upn = "$($user)#EXT#@contoso.com"
