# expect: MI105 MI105
# why: Classic Add-AzureAccount with an Automation credential and Select-AzureSubscription; classic sign-in is not Connect-AzAccount, so no MI401.
param(
    [string] $SubscriptionName = 'Legacy Production'
)

$classicAdmin = Get-AutomationPSCredential -Name 'ClassicServiceAdmin'
Add-AzureAccount -Credential $classicAdmin | Out-Null
Select-AzureSubscription -SubscriptionName $SubscriptionName

$storage = Get-AzureStorageAccount
$report = foreach ($account in $storage) {
    [pscustomobject]@{
        Name        = $account.StorageAccountName
        Location    = $account.Location
        Replication = $account.AccountType
    }
}
$report | Format-Table -AutoSize | Out-String | Write-Output
Write-Output "$(@($storage).Count) classic storage account(s) still to migrate to ARM"
