# expect: MI201
# why: ARM token URI built with [string]::Format from ${env:IDENTITY_ENDPOINT} and a resource constant; the resource resolves, so the unsafe fix takes the token from Get-AzAccessToken.
param(
    [Parameter(Mandatory = $true)]
    [string] $SubscriptionId,
    [string] $ResourceGroupName = 'rg-batch-workers'
)

$armUrl = 'https://management.azure.com/'
$identityUri = [string]::Format('{0}?resource={1}&api-version=2019-08-01', ${env:IDENTITY_ENDPOINT}, $armUrl)
$reply = Invoke-RestMethod -Uri $identityUri -Method Get -Headers @{ 'X-IDENTITY-HEADER' = ${env:IDENTITY_HEADER} }
$armToken = $reply.access_token

$listUri = "https://management.azure.com/subscriptions/$SubscriptionId/resourceGroups/$ResourceGroupName/providers/Microsoft.Compute/virtualMachines?api-version=2023-09-01"
$vms = Invoke-RestMethod -Uri $listUri -Headers @{ Authorization = "Bearer $armToken" }
foreach ($vm in $vms.value) {
    $statusUri = "https://management.azure.com$($vm.id)/instanceView?api-version=2023-09-01"
    $view = Invoke-RestMethod -Uri $statusUri -Headers @{ Authorization = "Bearer $armToken" }
    $power = ($view.statuses | Where-Object { $_.code -like 'PowerState/*' }).displayStatus
    Write-Output ("{0,-30} {1}" -f $vm.name, $power)
}
