# Curly double quotes (U+201C, U+201D) around strings.
$connectionName = “AzureRunAsConnection”
$stamp = $day + ”T” + $time
