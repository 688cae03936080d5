# Horizontal bars (U+2015) for parameters and operators.
if ($context ―ne $null) { Connect-AzAccount ―Identity }
