# expect: MI101 MI102 MI401 MI601 MI601 MI104 MI601 MI601 MI601 MI601
# why: AzureRM-era Run As login (Add-AzureRmAccount alias) with Select-AzureRmSubscription reading the connection's SubscriptionID.
param (
    [Parameter(Mandatory = $true)]
    [string] $ResourceGroupName,
    [string] $StorageAccountName = 'stdiagarchive01'
)

$IdentityClientId = Get-AutomationVariable -Name 'UAMI_ClientId'
$ErrorActionPreference = 'Stop'

Disable-AzContextAutosave -Scope Process | Out-Null
Connect-AzAccount -Identity -AccountId $IdentityClientId

# TODO(mimigrate): the managed identity may have access to several subscriptions; set the subscription explicitly
Set-AzContext -SubscriptionId (Get-AzContext).Subscription.Id | Out-Null

$account = Get-AzStorageAccount -ResourceGroupName $ResourceGroupName -Name $StorageAccountName
$context = $account.Context

$limit = (Get-Date).ToUniversalTime().AddDays(-90)
foreach ($container in Get-AzStorageContainer -Context $context) {
    $old = Get-AzStorageBlob -Container $container.Name -Context $context |
        Where-Object { $_.LastModified.UtcDateTime -lt $limit }
    foreach ($blob in $old) {
        Remove-AzStorageBlob -Blob $blob.Name -Container $container.Name -Context $context
    }
    Write-Output "$($container.Name): removed $(@($old).Count) blob(s)"
}
