# En dashes (U+2013) for parameters and operators, as pasted from a web page.
$conn = Get-AutomationConnection –Name "AzureRunAsConnection"
if ($conn –eq $null) { throw "no connection" }
