# Curly single quotes (U+2018, U+2019) around strings.
$connectionName = ‘AzureRunAsConnection’
$names = $subscriptions -join ‘, ’
