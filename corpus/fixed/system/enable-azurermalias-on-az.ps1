# expect: MI601 MI601 MI601 MI601
# why: Az runbook that kept its AzureRM-era names (AzureRM, Azure.Storage, AzureRM.KeyVault) working with Enable-AzureRmAlias: MI601 renames them to the Az commands and deletes the alias switch, leaving the Az sign-in as it is.
param(
    [string] $VaultName = 'kv-reports',
    [string] $StorageAccountName = 'streports01',
    [string] $ContainerName = 'daily'
)

Import-Module Az.Accounts, Az.KeyVault, Az.Storage
Enable-AzureRmAlias -Scope Process

Disable-AzContextAutosave -Scope Process | Out-Null
Connect-AzAccount -Identity | Out-Null

$key = (Get-AzureKeyVaultSecret -VaultName $VaultName -Name 'storage-key').SecretValueText
$storage = New-AzureStorageContext -StorageAccountName $StorageAccountName -StorageAccountKey $key

$report = Join-Path $env:TEMP ("groups-{0:yyyyMMdd}.csv" -f (Get-Date))
Get-AzureRmResourceGroup |
    Select-Object ResourceGroupName, Location, @{ n = 'Owner'; e = { $_.Tags['Owner'] } } |
    Export-Csv -Path $report -NoTypeInformation

Set-AzureStorageBlobContent -File $report -Container $ContainerName -Context $storage -Force | Out-Null
Write-Output "Uploaded $(Split-Path $report -Leaf)"
