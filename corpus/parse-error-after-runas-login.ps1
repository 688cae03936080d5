# expect: MI101 MI102 MI401
# why: Complete Run As sign-in at the top, then a function whose body brace is never closed; the earlier findings survive the syntax error and are fixed, and with nothing to migrate where the brace is missing (no migration word, no fix withheld) there is no MI902.
$conn = Get-AutomationConnection -Name 'AzureRunAsConnection'
Connect-AzAccount -ServicePrincipal -Tenant $conn.TenantId -ApplicationId $conn.ApplicationId -CertificateThumbprint $conn.CertificateThumbprint | Out-Null

Write-Output 'Signed in'
$limit = (Get-Date).AddDays(-30)

function Remove-OldLogs {
    param([string] $Container)
    $ctx = New-AzStorageContext -StorageAccountName 'stlogs001' -UseConnectedAccount
    Get-AzStorageBlob -Container $Container -Context $ctx |
        Where-Object { $_.LastModified -lt $limit } |
        Remove-AzStorageBlob

Remove-OldLogs -Container 'iis'
Remove-OldLogs -Container 'app'
