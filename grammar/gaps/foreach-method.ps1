# The `.ForEach()` collection method (`foreach` is a keyword to the grammar).
$doubled = $numbers.ForEach({ $_ * 2 })
