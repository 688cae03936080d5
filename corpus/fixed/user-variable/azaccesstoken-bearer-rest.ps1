# expect: MI204
# why: Plain-string .Token from Get-AzAccessToken interpolated into a "Bearer $token" header (no Connect-MgGraph involved).
Disable-AzContextAutosave -Scope Process | Out-Null
Connect-AzAccount -Identity | Out-Null

$workspaceId = Get-AutomationVariable -Name 'LogAnalyticsWorkspaceId'
$token = [System.Net.NetworkCredential]::new('', (Get-AzAccessToken -ResourceUrl 'https://api.loganalytics.io' -AsSecureString).Token).Password

$query = 'AzureActivity | where TimeGenerated > ago(1d) | where ActivityStatusValue == "Failure" | summarize count() by OperationNameValue'
$body = @{ query = $query } | ConvertTo-Json
$headers = @{ Authorization = "Bearer $token"; 'Content-Type' = 'application/json' }

$result = Invoke-RestMethod -Method Post -Uri "https://api.loganalytics.io/v1/workspaces/$workspaceId/query" -Headers $headers -Body $body
foreach ($row in $result.tables[0].rows) {
    Write-Output ("{0,6}  {1}" -f $row[1], $row[0])
}
