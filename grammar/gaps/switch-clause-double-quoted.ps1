# A double-quoted switch condition with a space or parenthesis is lexed as a bare word.
switch -Regex ($plan) {
    "Premium Storage" { $tier = 2 }
    "^(\w+)-v2$" { $tier = 3 }
}
