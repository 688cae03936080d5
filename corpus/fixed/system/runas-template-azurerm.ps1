# expect: MI101 MI102 MI401 MI601 MI601 MI104 MI601 MI601 MI601 MI601
# why: AzureRM-era Run As login (Add-AzureRmAccount alias) with Select-AzureRmSubscription reading the connection's SubscriptionID.
param (
    [Parameter(Mandatory = $true)]
    [string] $ResourceGroupName,
    [string] $StorageAccountName = 'stdiagarchive01'
)

$ErrorActionPreference = 'Stop'
$conn = Get-AutomationConnection -Name "AzureRunAsConnection"

Disable-AzureRmContextAutosave -Scope Process | Out-Null
Connect-AzureRmAccount -Identity

Select-AzureRmSubscription -SubscriptionId $conn.SubscriptionID | Out-Null

$account = Get-AzureRmStorageAccount -ResourceGroupName $ResourceGroupName -Name $StorageAccountName
$context = $account.Context

$limit = (Get-Date).ToUniversalTime().AddDays(-90)
foreach ($container in Get-AzureStorageContainer -Context $context) {
    $old = Get-AzureStorageBlob -Container $container.Name -Context $context |
        Where-Object { $_.LastModified.UtcDateTime -lt $limit }
    foreach ($blob in $old) {
        Remove-AzureStorageBlob -Blob $blob.Name -Container $container.Name -Context $context
    }
    Write-Output "$($container.Name): removed $(@($old).Count) blob(s)"
}
