# Em dashes (U+2014) for parameters and operators.
Connect-AzAccount —Identity
$ids = ($subscriptions —join ",")
